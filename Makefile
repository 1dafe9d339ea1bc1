# Conveniences around the README's two commands (which need nothing but Python >= 3.11).
PY := .venv/bin/python

.venv:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'

test: .venv
	$(PY) -m pytest -q

search: .venv
	$(PY) -m counterexamples.search

audit: .venv
	$(PY) -m proofs

analysis: .venv
	$(PY) -m analysis

bench: .venv
	$(PY) benchmarks/run.py

.PHONY: test search audit analysis bench
