"""Compatibility name: the project's one Z3 bridge lives in :mod:`analysis.z3kit` (the lowest layer that
uses Z3), so that analysis, proofs and counterexamples share it."""
from analysis.z3kit import (PORTFOLIO, Q, SatResult, Verdict, check, find, free_vars, prove, sqrt_of,  # noqa: F401
                            value_fraction, value_interval, value_str)
