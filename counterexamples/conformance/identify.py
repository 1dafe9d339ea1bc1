"""``--zoo``: every library optimizer of the registry against its counterpart, trajectory by trajectory.

For an entry with a counterpart, the library runs N rounds of the problem (float64, projection after
each step, the schedule through the library's scheduler) and our definition runs the same rounds through
:func:`numerics.run.run`; the answer is max_{t <= N} |x_t(library) - x_t(ours)|, identified when it is
<= 1e-12 (:data:`variants.EXACT_MATCH`).  torch runs with ``torch.set_default_dtype(torch.float64)``:
otherwise NAdam's mu_product and ASGD's eta are float32 0-d tensors even for float64 parameters (see
tests/test_zoo_torch.py), and the run would not be the float64 method.
"""
from __future__ import annotations

import contextlib

import math
import time

import numpy as np

from numerics.run import run

from .drive import Setup, drive
from .registry import Entry, full_kwargs
from .variants import EXACT_MATCH


def _OptaxStepper(entry: Entry, passed: dict, schedule: str, x1, lo, hi):
    """One optax (or optax.contrib) optimizer of the registry, on the driver's scan stepper."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import optax
    import optax.contrib as contrib

    from .drivers.optax import ScanStepper

    kw = dict(passed)
    alpha = kw.pop("learning_rate")
    lr = (lambda count: alpha / jnp.sqrt(count + 1.0)) if (schedule == "sqrt" and entry.schedulable) else alpha
    fn = getattr(contrib, entry.name[8:]) if entry.name.startswith("contrib.") else getattr(optax, entry.name)
    return ScanStepper(fn(lr, **kw), x1, lo, hi)


@contextlib.contextmanager
def float64_default(torch):
    """torch's default dtype float64 for the block: some torch.optim classes keep float32 0-d state otherwise."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)

class _TorchStepper:
    def __init__(self, entry: Entry, passed: dict, schedule: str, x1, lo, hi):
        import torch

        self.torch = torch
        self.lo, self.hi = lo, hi
        with self._f64():
            self.p = torch.tensor(np.asarray(x1, dtype=np.float64), dtype=torch.float64, requires_grad=True)
            self.p.grad = torch.zeros_like(self.p)
            self.opt = getattr(torch.optim, entry.name)([self.p], **passed)
        self.gview = self.p.grad.numpy()
        self.xview = self.p.detach().numpy()
        self.sched = None
        if schedule == "sqrt" and entry.schedulable:
            self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, lambda k: 1.0 / math.sqrt(k + 1))

    def _f64(self):
        return float64_default(self.torch)

    def run_chunk(self, G):
        X = np.empty_like(G)
        torch, p, opt, sched = self.torch, self.p, self.opt, self.sched
        with self._f64():
            for i in range(len(G)):
                X[i] = self.xview
                self.gview[:] = G[i]
                opt.step()
                with torch.no_grad():
                    p.clamp_(self.lo, self.hi)
                if sched is not None:
                    sched.step()
        return X

    def current(self):
        return self.xview.copy()


def our_label(meth) -> str:
    """Our definition as a call: name and the switches that select its rule."""
    skip = {"alpha", "beta1", "beta2", "eps", "eps_root", "schedule"}
    parts = [f"{k}={v}" for k, v in meth.hyper.items() if k not in skip and isinstance(v, (bool, str))]
    return f"{meth.name}(" + ", ".join(parts) + ")"


def rule_id(meth) -> tuple:
    """The update rule, ignoring the step-size schedule: what 'distinct update rules' counts."""
    return tuple(k for k in meth.rule.key if k not in ("sqrt", "constant"))


def identify(entry: Entry, case, N: int, schedule: str = "sqrt") -> dict:
    """One registry entry on one problem: the library's and our trajectories over N rounds compared."""
    row = {"library": entry.library, "optimizer": entry.label, "problem": case.name,
           "x_dependent": entry.x_dependent}
    if case.skipped:
        return dict(row, status="skipped", reason=case.skipped)
    if entry.ours is None:
        return dict(row, problem="(any)", status="no counterpart", reason=entry.reason)
    passed, full = full_kwargs(entry, case.hyper)
    meth = entry.ours(full, schedule)
    if meth is None:
        return dict(row, status="no counterpart", reason="an option at a value our definition does not model",
                    library_kwargs={k: _js(v) for k, v in passed.items()})
    prob = case.problem
    x1 = np.full(prob.d, float(case.hyper.get("x1", 0)))
    t0 = time.perf_counter()
    Stepper = _TorchStepper if entry.library == "torch" else _OptaxStepper
    stepper = Stepper(entry, passed, schedule, x1, float(prob.lo), float(prob.hi))
    lib = drive(stepper, prob, N, keep=N)
    xs = []
    run(meth, prob, N, prescribed="record", x1=float(x1[0]) if prob.d == 1 else x1, checkpoints=[],
        on_step=lambda t, x, g, inv, st: xs.append(np.asarray(x, dtype=np.float64).reshape(-1)))
    ours = np.asarray(xs).reshape(N, prob.d)
    with np.errstate(invalid="ignore"):
        dev = np.abs(ours - lib.xs).max(axis=1)
    dev = np.where(np.isnan(dev), np.inf, dev)
    over = np.nonzero(dev > EXACT_MATCH)[0]
    return dict(row, status="identified" if not len(over) else "MISMATCH", ours=our_label(meth), method=meth.name,
                rule=list(map(str, rule_id(meth))), max_deviation=float(dev.max()),
                first_deviation_t=int(over[0]) + 1 if len(over) else 0, rounds=N,
                library_kwargs={k: _js(v) for k, v in passed.items()},
                seconds=round(time.perf_counter() - t0, 3))


def _js(v):
    if isinstance(v, tuple):
        return [_js(u) for u in v]
    return v


def summary(rows) -> dict:
    """Distinct update rules identified (each on every problem it ran), mismatches, no-counterpart reasons."""
    by_entry: dict = {}
    for r in rows:
        by_entry.setdefault(r["optimizer"], []).append(r)
    identified, rules, methods, mismatched, none = [], set(), set(), [], {}
    for name, rs in by_entry.items():
        ran = [r for r in rs if r["status"] in ("identified", "MISMATCH")]
        if any(r["status"] == "MISMATCH" for r in ran):
            mismatched.append(name)
        elif ran:
            identified.append(name)
            rules.add(tuple(ran[0]["rule"]))
            methods.add(ran[0]["method"])
        elif rs and rs[0]["status"] == "no counterpart":
            none[name] = rs[0]["reason"]
    return {"identified": identified, "distinct_rules": len(rules), "rules": sorted(map(list, rules)),
            "distinct_methods": len(methods), "methods": sorted(methods),
            "mismatched": mismatched, "no_counterpart": none}
