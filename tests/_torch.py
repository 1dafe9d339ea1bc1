"""torch for the test files that drive it, imported when one of their tests first needs it, not when pytest
collects the file.

``import torch`` costs ~2 CPU-s (and torch.optim's first optimizer ~2 more, for torch._dynamo), and every xdist
worker imports every test file to collect it: a module-level ``pytest.importorskip("torch")`` made both workers
pay, though one worker runs all of torch's tests (the files that import this module form one work group,
tests/conftest.py: ``TORCH_FILES``).  Instead:

* :data:`needs_torch`, a file's ``pytestmark``: each test of a file that drives torch (directly or through the
  toolkit's torch driver) is skipped with :data:`REASON` where torch is not installed -- the skip that the
  module-level ``importorskip`` gave, decided from the installed packages (``importlib.util.find_spec``, which
  imports nothing);
* :data:`torch` stands for the module: its first attribute read imports torch, or skips the test that reads it
  with :data:`REASON` -- for a file whose other tests use no torch and run without it;
* :func:`user_optimizers`: the torch.optim.Optimizer subclasses of tests/_torch_optimizers.py.
"""
import importlib.util

import pytest

REASON = "torch is in the test extra: pip install 'adam-beyond[test]' (torch==2.13.0)"
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason=REASON)


class LazyModule:
    """Stands for the module ``name``: the first read of a public attribute imports it, or skips the test that
    reads it with ``reason`` where it is not installed.  A name with a leading underscore is never the module's:
    pytest's collection probes every object a test file holds (``__test__``, ``__wrapped__``, ``_mock_name``,
    ``__bases__`` ...), and those reads must neither import the module nor skip the file."""

    def __init__(self, name: str, reason: str):
        self._name, self._reason = name, reason

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(pytest.importorskip(self._name, reason=self._reason), attr)

    def __repr__(self):
        return f"<{self._name}, imported on first use (tests/_torch.py)>"


torch = LazyModule("torch", REASON)


def user_optimizers():
    """tests/_torch_optimizers.py (torch.optim.Optimizer subclasses written as a user writes them), imported
    after torch: a class statement needs its base class, so they live in a module of their own, imported here
    by the tests that check them (skipped with :data:`REASON` without torch)."""
    pytest.importorskip("torch", reason=REASON)
    import _torch_optimizers

    return _torch_optimizers
