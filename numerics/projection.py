"""Projection onto the box F = [lo, hi]^d.

The paper projects with the weighted norm Pi_{F, sqrt(V_t)}(y) = argmin_{x in F} ||V_t^{1/4}(x - y)||.
For a diagonal V_t and a box F the objective splits into one term per coordinate, each minimised by
clamping that coordinate to [lo, hi].  So the coordinatewise clip below *is* the exact weighted
projection for every method here (all use diagonal V_t), not an approximation of it.
"""
from __future__ import annotations


def project_box(y, lo, hi, B):
    """Pi_{F, sqrt(V)}(y) for diagonal V and F = [lo, hi]^d: the coordinatewise clip."""
    return B.clip(y, lo, hi)
