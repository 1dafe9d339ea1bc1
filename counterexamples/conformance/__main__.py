"""``python -m counterexamples.conformance``."""
from .cli import main

raise SystemExit(main(isolate=True))
