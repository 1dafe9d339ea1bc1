"""The test corpus of online problems for the numeric bound checks (issue 3, item 4).

Random dense, sparse and heavy-tailed gradient sequences in d in {1, 5, 50} (seeded, printed in the
label), the paper's counterexample families, and small sequences built to make a bound tight.  Each
entry is a :class:`analysis.evaluate.RunConfig`; :func:`corpus` yields them for AMSGrad (paper variant,
three beta_{1t} schedules), AdamNC and AdamX.
"""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np

from numerics import Explicit

from .evaluate import RunConfig

SEED = 20180430  # ICLR 2018; explicit so every run is reproducible


def _problems(T: int, seed: int = SEED, dims=(1, 5, 50)):
    rng = np.random.default_rng(seed)
    out = []
    for d in dims:
        dense = rng.uniform(-1, 1, (T, d))
        sparse = np.where(rng.random((T, d)) < 0.1, rng.choice([-1.0, 1.0], (T, d)), 0.0)
        heavy = rng.standard_t(1.5, (T, d))  # heavy-tailed, unbounded law; G_inf is the observed max
        out += [(f"dense-d{d}", Explicit(values=dense)), (f"sparse-d{d}", Explicit(values=sparse)),
                (f"heavy-d{d}", Explicit(values=heavy))]
    return out


def families():
    """The counterexample families of :mod:`analysis.families` (their bare sequences) with their starts."""
    from .families import build

    return [
        ("thm1-C3", build("thm1", C=3).sequence, 1),
        ("thm2-C20", build("thm2", C=20).sequence, 1),
        ("section5-online", build("section5-online").sequence, 0),
        ("section5-stochastic", build("section5-stochastic", seed=SEED).sequence, 0),
    ]


def tight():
    """Small runs that make a bound as tight as we found (theory for the first two: see the tests)."""
    return [
        # T = 1, beta1 = 0, alpha = 2 sqrt(1 - beta2): Thm 4 ratio exactly 1/2, moment lemma exactly 1
        RunConfig("amsgrad", Explicit(values=[[1]]), 1, alpha=F(1), beta1=F(0), beta2=F(3, 4), x1=1,
                  beta1_schedule="geometric", lam=F(1, 2), label="tight-T1"),
        # T = 1, beta1 = 0, sqrt(1 - beta2) = s = 49/50, alpha = sqrt(2 s) = 7/5: AdamX 5.1 ratio exactly 7/10
        # (the supremum at T = 1 is 1/sqrt(2), as s -> 1)
        RunConfig("adamx", Explicit(values=[[1]]), 1, alpha=F(7, 5), beta1=F(0), beta2=F(99, 2500), x1=1,
                  beta1_schedule="geometric", lam=F(1, 100), label="tight-adamx-T1"),
        RunConfig("adamnc", Explicit(values=[[F(-549, 817)], [F(-540, 913)]]), 2, alpha=F(1), beta1=F(0),
                  x1=-1, beta1_schedule="geometric", lam=F(1, 2), label="tight-adamnc-T2"),
        RunConfig("amsgrad", Explicit(values=[[1]] * 4), 4, alpha=F(2), beta1=F(0), beta2=F(1, 10), x1=1,
                  beta1_schedule="harmonic", label="tight-pp-harmonic"),
        # found by a seeded random search over 12000 small runs (worst Theorem 5 / Lemma 3 ratios)
        RunConfig("adamnc", Explicit(values=[[F(v)] for v in
                                             "1 0 1/10 1/10 -1/10 1/10 -1/10 0 1/10 1/10 -1/10 0 1/10 1/10 1/10 1/10"
                                             .split()]), 16, alpha=F(1), beta1=F(0), x1=1,
                  beta1_schedule="geometric", lam=F(1, 100), label="tight-adamnc-T16"),
        RunConfig("adamnc", Explicit(values=[[F(v)] for v in
                                             ("-131/627 -229/862 -44/457 223/306 -229/357 279/412 -641/820 81/467 "
                                              "-462/659 -197/796 479/947 623/913 -135/887 768/991 233/763 -811/918 "
                                              "-12/277 -321/400 74/525 963/998").split()]), 20, alpha=F(1, 2),
                  beta1=F(0), x1=1, beta1_schedule="geometric", lam=F(1, 100), label="tight-lemma3-T20"),
        RunConfig("amsgrad", Explicit(values=[[1]] * 4), 4, alpha=F(2), beta1=F(0), beta2=F(1, 10), x1=1,
                  beta1_schedule="geometric", lam=F(1, 100), label="tight-pp-geometric"),
    ]


def corpus(T: int = 100, dims=(1, 5, 50), with_families: bool = True, family_T: int = 404):
    """All corpus runs.  Hyper-parameters: beta1 = 0.9, beta2 = 0.99, alpha = 1/2 unless stated."""
    runs = []
    for label, prob in _problems(T, dims=dims):
        runs += [
            RunConfig("amsgrad", prob, T, beta1_schedule="geometric", lam=F(99, 100), label=label + "/amsgrad-geo"),
            RunConfig("amsgrad", prob, T, beta1_schedule="harmonic", label=label + "/amsgrad-harm"),
            RunConfig("adamnc", prob, T, beta1_schedule="geometric", lam=F(99, 100), label=label + "/adamnc-geo"),
            RunConfig("adamx", prob, T, beta1_schedule="geometric", lam=F(9, 10), label=label + "/adamx-geo"),
        ]
    if with_families:
        for label, prob, x1 in families():
            runs += [
                RunConfig("amsgrad", prob, family_T, beta1_schedule="geometric", lam=F(999, 1000), x1=x1,
                          label=label + "/amsgrad-geo"),
                RunConfig("amsgrad", prob, family_T, beta1=F(0), beta2=F(1, 10), beta1_schedule="constant", x1=x1,
                          label=label + "/amsgrad-b1=0"),
                RunConfig("adamnc", prob, family_T, beta1_schedule="geometric", lam=F(1, 2), x1=x1,
                          label=label + "/adamnc-geo"),
                RunConfig("adamx", prob, family_T, beta1_schedule="geometric", lam=F(1, 2), x1=x1,
                          label=label + "/adamx-geo"),
            ]
        # Phuong & Phong Example 3.2 settings
        runs.append(RunConfig("amsgrad", families()[2][1], family_T, alpha=F(1, 1000), beta1=F(9, 10),
                              beta2=F(999, 1000), beta1_schedule="geometric", lam=F(1, 1000), x1=1,
                              label="pp-example-3.2/amsgrad"))
    return runs + tight()
