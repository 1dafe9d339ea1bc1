"""The array layout of a batch, defined once for the numba kernels and (as ``#define`` lines) for C.

A batch is a set of independent 1-D *lanes* (a d-dimensional problem with diagonal methods and linear
losses is d lanes: coordinates never interact).  Three arrays hold it:

* ``ST`` (rows x lanes, float64): the iterate, the loss so far, the gradient sum, the point played at
  round T, then the rule's state fields in the order of ``rule.State._fields``;
* ``P`` (rows x lanes, float64): the rule's numbers in the order of ``rule.Hyper._fields``, then the
  per-lane problem values (large gradient, small gradient, coin probability);
* ``PH`` (rows x lanes, int64): the phase counter and the period of the two-valued periodic source,
  and the column of a shared gradient table.
"""
from __future__ import annotations

# rows of ST before the rule's state fields
X, LOSS, SUMG, XPLAYED = range(4)
ST_FIXED = ("x", "loss", "sumg", "x_played")

# rows of PH
PHASE, PERIOD, COLUMN = range(3)
NPH = 3

# problem values after the rule's numbers in P
P_PROBLEM = ("gbig", "glow", "prob")

# gradient sources (a compile-time constant of a kernel)
G_PERIODIC2 = 0  # per lane: gbig at phase 0, else glow; phase counter PH[PHASE], period PH[PERIOD]
G_TABLE = 1  # shared table: g = gtab[(t-1) % L, PH[COLUMN]]  (periodic pattern or explicit rows)
G_COINS = 2  # per lane uniforms U[t - t_start, i] < prob -> gbig else glow  (Bernoulli)
G_VALUES = 3  # per lane values U[t - t_start, i]  (explicit, one column per lane)
G_TABLE1 = 4  # G_TABLE with a single column: one gradient per round for every lane
G_NAMES = {G_PERIODIC2: "periodic2", G_TABLE: "table", G_COINS: "coins", G_VALUES: "values",
           G_TABLE1: "table1"}


class Layout:
    """Row numbers of ST and P for one rule (``rule.State`` and ``rule.Hyper`` fields)."""

    def __init__(self, rule):
        self.state_fields = tuple(rule.State._fields)
        self.hyper_fields = tuple(rule.Hyper._fields)
        self.st_rows = {name: k for k, name in enumerate(ST_FIXED + self.state_fields)}
        self.p_rows = {name: k for k, name in enumerate(self.hyper_fields + P_PROBLEM)}
        self.NS = len(self.st_rows)
        self.NP = len(self.p_rows)

    def state_row(self, field: str) -> int:
        return self.st_rows[field]

    def hyper_row(self, field: str) -> int:
        return self.p_rows[field]

    def c_defines(self) -> str:
        """The same rows as C macros (``ST_x``, ``P_beta1``, ``PH_PHASE``, ``G_TABLE``, ...)."""
        lines = [f"#define ST_{k} {v}" for k, v in self.st_rows.items()]
        lines += [f"#define P_{k} {v}" for k, v in self.p_rows.items()]
        lines += [f"#define PH_PHASE {PHASE}", f"#define PH_PERIOD {PERIOD}", f"#define PH_COLUMN {COLUMN}"]
        lines += [f"#define G_{name.upper()} {code}" for code, name in G_NAMES.items()]
        return "\n".join(lines) + "\n"
