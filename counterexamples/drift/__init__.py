"""The exact asymptotic test for Adam on the periodic family (the steady-state drift D) and its thresholds.

:mod:`.steady`: the steady state and D, its certified sign, AMSGrad's drift, the limits;
:mod:`.threshold`: the smallest diverging C, the certified diverging range, the boundaries in C and beta2;
:mod:`.period_map`: the Z3-proved clamp identities behind the exact period map;
:mod:`.general`: the same test for any method whose state ignores x (the optimizer zoo), certified by an
invariant box of the period map in balls.

Example: Theorem 1's setting (C = n = 3, beta1 = 0, beta2 = 1/(1+C^2)): D > 0, certified; Adam diverges
there for exactly C = 3, ..., 9:

    >>> from counterexamples.drift import diverging_C_range, drift_sign
    >>> drift_sign(0, "1/10", 3, 3).sign, diverging_C_range(0, "1/10", 3).C
    (1, 9)
"""
# loaded on first use (numerics.lazy): the commands that need one constant of drift.general (the zoo's
# --help) do not wait for SymPy, Z3 and flint behind steady and threshold
from numerics.lazy import attach as _attach

__getattr__, __dir__ = _attach(__name__, {
    **dict.fromkeys(["BACKENDS", "Sign", "amsgrad_drift", "ball_str", "drift", "drift_sign", "limit_avg_regret",
                     "predicted_displacement", "q", "rounds_to_cross", "steady_state"], ".steady"),
    **dict.fromkeys(["Threshold", "boundary_beta2", "boundary_C", "certify_positive_range", "diverging_C_range",
                     "smallest_diverging_C"], ".threshold")})

__all__ = ["general", "BACKENDS", "Sign", "amsgrad_drift", "ball_str", "drift", "drift_sign", "limit_avg_regret",
           "predicted_displacement", "q", "rounds_to_cross", "steady_state", "Threshold", "boundary_beta2",
           "boundary_C", "certify_positive_range", "diverging_C_range", "smallest_diverging_C"]
