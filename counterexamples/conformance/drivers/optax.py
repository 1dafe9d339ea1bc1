"""Drive optax's ``adam`` / ``amsgrad`` (jax, float64 via ``jax_enable_x64``) through the online problems.

Each round: ``updates, state = opt.update(g_t, state, x)``, ``x = optax.apply_updates(x, updates)``,
then ``jnp.clip(x, lo, hi)``, all inside one ``jax.lax.scan`` per chunk of rounds (the same operations
as a Python loop, compiled once).  With ``schedule='sqrt'`` the rate is the optax schedule
``count -> alpha / sqrt(count + 1)`` (optax counts from 0, so round t runs at alpha/sqrt(t)).

Mapping: learning_rate = alpha, b1 = beta1, b2 = beta2, eps = optax's default unless given (or the
problem's, when it prescribes one); SPEC keyword arguments (eps_root, bias_correction_mu,
bias_correction_nu, ...) override.  What optax computes (read in optax/_src/transform.py,
``scale_by_amsgrad``, optax 0.2.8): nu_max = max(nu_max, nu/(1-b2^t)) by default (the max of the
*bias-corrected* nu), or of the raw nu with bias_correction_nu=False; update = mu_hat/(sqrt(nu_max +
eps_root) + eps) (docs/references.md, implementations §1.3).
"""
from __future__ import annotations

import inspect

import numpy as np

from ..drive import LibraryMissing, Setup, exact
from ..spec import SpecError

INSTALL = "pip install optax jax"


def import_optax():
    try:
        import jax
        import optax
    except ImportError as exc:
        raise LibraryMissing(f"--optimizer: optax/jax is not installed ({exc}); run: {INSTALL}") from None
    jax.config.update("jax_enable_x64", True)
    return jax, optax


def check(spec) -> None:
    """Fail early (LibraryMissing) when optax is not installed."""
    import_optax()


def version(spec=None) -> dict:
    jax, optax = import_optax()
    return {"jax": jax.__version__, "optax": optax.__version__}


def setup(spec, hyper: dict, schedule: str) -> Setup:
    jax, optax = import_optax()
    fn = getattr(optax, spec.name)
    params = inspect.signature(fn).parameters
    for key in spec.kwargs:
        if key not in params:
            raise SpecError(f"--optimizer: optax.{spec.name} has no keyword argument {key!r}; "
                             f"it takes {', '.join(params)}")
    eps = hyper.get("eps")
    kw = {"learning_rate": float(hyper["alpha"]), "b1": float(hyper["beta1"]), "b2": float(hyper["beta2"]),
          "eps": float(eps) if eps is not None else params["eps"].default}
    kw.update(spec.kwargs)
    model = {"alpha": exact(kw["learning_rate"]), "beta1": exact(kw["b1"]), "beta2": exact(kw["b2"]),
             "eps": exact(kw["eps"]), "eps_root": exact(kw.get("eps_root", params["eps_root"].default))}
    unmodelled = []
    if spec.name == "adam" and kw.get("nesterov"):
        unmodelled.append("nesterov=True")
    expected = None
    bc_mu = kw.get("bias_correction_mu", True)
    bc_nu = kw.get("bias_correction_nu", True)
    if not unmodelled:
        # our eps-outside definitions compute sqrt(v + eps_root) + eps, exactly optax's denominator
        if spec.name == "adam":  # without a max, correcting nu before or after it is the same
            expected = dict(method="adam", bias_correction_m=True, bias_correction_v="after_max")
        else:
            expected = dict(method="amsgrad", bias_correction_m=bool(bc_mu),
                            bias_correction_v="before_max" if bc_nu else "none")
    shown = ", ".join(f"{k}={v!r}" for k, v in kw.items())
    if schedule == "sqrt":
        shown = shown.replace(f"learning_rate={kw['learning_rate']!r}",
                              f"learning_rate=lambda count: {kw['learning_rate']!r}/sqrt(count+1)")
    return Setup(call=f"optax.{spec.name}({shown}); x = clip(apply_updates(x, u), lo, hi)", kwargs=kw,
                 hyper=model, schedule=schedule, expected=expected, unmodelled=unmodelled)


class ScanStepper:
    """An optax GradientTransformation ``opt``, stepped in one jitted ``lax.scan`` per chunk of rounds,
    each iterate clipped to [lo, hi] (shared by the named-optimizer driver and the zoo's identification)."""

    def __init__(self, opt, x1, lo, hi):
        import jax
        import jax.numpy as jnp
        import optax

        self.x = jnp.asarray(np.asarray(x1, dtype=np.float64))
        self.state = opt.init(self.x)

        def body(carry, g):
            x, s = carry
            u, s = opt.update(g, s, x)
            return (jnp.clip(optax.apply_updates(x, u), lo, hi), s), x

        self.scan = jax.jit(lambda carry, G: jax.lax.scan(body, carry, G))
        self.jnp = jnp

    def run_chunk(self, G):
        (self.x, self.state), X = self.scan((self.x, self.state), self.jnp.asarray(G))
        return np.asarray(X, dtype=np.float64)

    def current(self):
        return np.asarray(self.x, dtype=np.float64)


class OptaxStepper(ScanStepper):
    def __init__(self, spec, st: Setup, x1, lo, hi):
        jax, optax = import_optax()
        import jax.numpy as jnp

        kw = dict(st.kwargs)
        alpha = kw.pop("learning_rate")
        lr = (lambda count: alpha / jnp.sqrt(count + 1.0)) if st.schedule == "sqrt" else alpha
        super().__init__(getattr(optax, spec.name)(lr, **kw), x1, lo, hi)


def stepper(spec, st, x1, lo, hi):
    return OptaxStepper(spec, st, x1, lo, hi)
