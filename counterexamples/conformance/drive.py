"""Driving a library optimizer through an online problem: the loop shared by every library.

Protocol (paper §2): at round t = 1..T the learner plays x_t, receives the linear loss f_t(x) = <g_t, x>,
the library takes one step on the gradient g_t, and the result is projected onto F = [lo, hi]^d by
coordinatewise clipping (the paper's weighted projection on a box with diagonal V_t, see
numerics.projection) to give x_{t+1}.  The gradient of a linear loss is the constant g_t, so it is handed
to the library as the parameter's gradient directly (what ``loss.backward()`` would compute, bit for bit).

A driver turns a SPEC into a :class:`Setup` (the library call, and the same hyper-parameters as exact
numbers for our variants) and a :class:`Stepper` (which advances the library over a chunk of rounds).
:func:`drive` runs the loop, keeps the first ``keep`` points played for the "which definition" answer,
and measures the regret R_T = sum_t <g_t, x_t> - min_{x in F} sum_t <g_t, x> in float64 (the loss sum is
accumulated with math.fsum per chunk, so its rounding error is far below the digits reported).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from numerics.backends import NumpyBackend
from numerics.cli import Progress as _Progress

CHUNK = 4096


class LibraryMissing(RuntimeError):
    """The library a SPEC names is not importable; the message carries the install command."""


@dataclass
class Setup:
    """How the library is called for one problem, and the same numbers for our variant definitions."""

    call: str  # human-readable library call, e.g. "torch.optim.Adam(lr=0.5, betas=(0.9, 0.99), ...)"
    kwargs: dict  # the keyword arguments the library was constructed with (JSON-able)
    hyper: dict  # exact Fractions for our variants: alpha, beta1, beta2, eps, eps_root
    schedule: str  # "sqrt" (alpha/sqrt(t) through the library's scheduler) or "constant"
    # the variant docs/references.md (implementations) says it is, when fully modelled: dict(method=...,
    # bias_correction_m=..., bias_correction_v=...) (see variants.expected_label)
    expected: dict | None = None
    unmodelled: list = field(default_factory=list)  # library options our variants do not model


class Stepper(Protocol):
    def run_chunk(self, G: np.ndarray) -> np.ndarray:
        """Play the rounds of G (shape (k, d)) and return the points played, shape (k, d)."""

    def current(self) -> np.ndarray:
        """x_{t+1} after the last round played."""


@dataclass
class LibraryRun:
    T: int
    xs: np.ndarray  # points played at rounds 1..keep, shape (keep, d)
    x_T: np.ndarray  # point played at round T
    x_next: np.ndarray  # x_{T+1}
    regret: float
    x_tail_mean: np.ndarray  # mean of the points played in the last ``tail`` rounds
    tail: int
    late_loss: float  # sum_t <g_t, x_t> over the late half, rounds t > T - floor(T/2)
    late_grad_sum: np.ndarray  # sum_t g_t over the late half
    grad_sum: np.ndarray  # S = sum_t g_t, exact for the suite's integer gradients
    lo: float
    hi: float
    seconds: float


def exact(value) -> Fraction:
    """The exact rational of a float the library is given (so our variants see the same double)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(float(value))


def gradient_chunks(problem, T: int, chunk: int = CHUNK):
    """The problem's g_1..g_T as float64 arrays of shape (k, d), in round order."""
    rows = []
    for g in problem.gradients(NumpyBackend(), T, False):
        rows.append(np.asarray(g, dtype=np.float64).reshape(-1))
        if len(rows) == chunk:
            yield np.stack(rows)
            rows = []
    if rows:
        yield np.stack(rows)


Progress = _Progress  # the one progress bar of the project (numerics.cli)


def tail_length(T: int) -> int:
    """Rounds averaged for the verdict: the last 1% (at least 1000 rounds, so >= 9 periods of the
    suite's longest period 101), or all of them when T is smaller."""
    return min(T, max(T // 100, 1000))


def drive(stepper: Stepper, problem, T: int, keep: int, progress: Progress | None = None) -> LibraryRun:
    """Run rounds 1..T through ``stepper``; keep x_1..x_keep; return x_T, x_{T+1} and the regret."""
    t0 = time.perf_counter()
    lo, hi = float(problem.lo), float(problem.hi)
    kept, loss_parts, S = [], [], None
    done, x_T = 0, None
    tail = tail_length(T)
    tail_sum = np.zeros(problem.d)
    late_start = T - T // 2  # rounds late_start+1 .. T form the late half
    late_parts, late_S = [], np.zeros(problem.d)
    for G in gradient_chunks(problem, T):
        X = stepper.run_chunk(G)
        if done + len(G) > T - tail:
            tail_sum += X[max(0, T - tail - done):].sum(axis=0)
        if done + len(G) > late_start:
            k = max(0, late_start - done)
            late_parts.append(math.fsum((G[k:] * X[k:]).ravel()))
            late_S += G[k:].sum(axis=0)
        if done < keep:
            kept.append(X[: keep - done].copy())
        loss_parts.append(math.fsum((G * X).ravel()))
        S = G.sum(axis=0) if S is None else S + G.sum(axis=0)
        done += len(G)
        if done == T:
            x_T = X[-1].copy()
        if progress is not None:
            progress.update(done)
    loss = math.fsum(loss_parts)
    best = float(np.sum(np.minimum(lo * S, hi * S)))
    return LibraryRun(T=T, xs=np.concatenate(kept) if kept else np.zeros((0, problem.d)), x_T=x_T,
                      x_next=np.asarray(stepper.current(), dtype=np.float64).copy(), regret=loss - best,
                      x_tail_mean=tail_sum / tail, tail=tail, late_loss=math.fsum(late_parts),
                      late_grad_sum=late_S, grad_sum=S, lo=lo, hi=hi, seconds=time.perf_counter() - t0)


def jsonable(value: Any):
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value
