"""The optimizer zoo of numerics.optimizers against independent implementations.

Every ``ref_*`` below is written here from the method's paper / the library source (formulas quoted in
its docstring), in plain Python floats, never from numerics.optimizers; each test runs our one
definition through numerics.run on the same gradients and compares the points played.  torch.optim is
the second, real, reference where it has the method.  Metamorphic checks: exact scale invariance at
eps = 0 (g -> 4 g is exact in binary floating point) and the mirror g -> -g, x1 -> -x1 on [-1, 1].
"""
import math
from fractions import Fraction

import numpy as np
import pytest

from numerics import make, run
from numerics.backends import ArbBackend, MpmathBackend, SympyBackend
from numerics.problems import Explicit

LO, HI = -1.0, 1.0


def clamp(x):
    return min(HI, max(LO, x))


def sgn(x):
    return (x > 0) - (x < 0)


def grads(T=240, seed=3):
    """A mix that exercises every branch: the periodic C = 3 / -1 pattern, zeros, sign changes,
    magnitudes from 1e-3 to 50 (a fixed LCG, so the sequence is reproducible without numpy's RNG)."""
    out, s = [], seed
    for t in range(T):
        s = (1103515245 * s + 12345) % 2**31
        u = s / 2**31
        if t % 7 == 3:
            out.append(0.0)
        elif t % 3 == 0:
            out.append(3.0)
        elif u < 0.15:
            out.append(50.0 * (u - 0.075))
        else:
            out.append(-1.0 + 0.001 * (u - 0.5))
    return out


def ours(name, gs, x1=0.5, **kw):
    """Points played x_1..x_T by our definition."""
    xs = []
    run(make(name, **kw), Explicit(values=[[g] for g in gs]), len(gs), x1=x1, checkpoints=[],
        on_step=lambda t, x, g, inv, st: xs.append(float(x)))
    return xs


def lr_of(alpha, t, schedule):
    return alpha / math.sqrt(t) if schedule == "sqrt" else alpha


def close(a, b, tol=1e-12):
    assert len(a) == len(b)
    dev = max(abs(u - v) for u, v in zip(a, b))
    assert dev <= tol, f"max deviation {dev}"
    return dev


# ------------------------------------------------------------------------------------------------
# independent references (plain floats), from the papers / library sources
def ref_adamax(gs, alpha, b1, b2, eps, x1, bc, schedule="sqrt"):
    """Kingma & Ba Alg. 2; torch adamax.py: exp_inf = max(b2 exp_inf, |g| + eps), clr = lr/(1-b1^t)."""
    x, m, u, xs = x1, 0.0, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, abs(g) + eps)
        clr = lr_of(alpha, t, schedule) / ((1 - b1 ** t) if bc else 1)
        x = clamp(x - (clr * m / u if u else 0.0))
    return xs


def ref_nadam_torch(gs, alpha, b1, b2, eps, x1, psi, schedule="sqrt"):
    """torch nadam.py: mu_t = b1(1 - 0.5*0.96^(t psi)); x -= lr(1-mu)/(1-prod) g/d + lr mu'/(1-prod mu') m/d."""
    x, m, v, prod, xs = x1, 0.0, 0.0, 1.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        lr = lr_of(alpha, t, schedule)
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu1 = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod *= mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        d = math.sqrt(v / (1 - b2 ** t)) + eps
        if d == 0:
            continue
        x = clamp(x - lr * (1 - mu) / (1 - prod) * g / d - lr * mu1 / (1 - prod * mu1) * m / d)
    return xs


def ref_nadam_optax(gs, alpha, b1, b2, eps, x1, schedule="sqrt"):
    """optax scale_by_adam(nesterov=True): mu_hat = b1 m/(1-b1^(t+1)) + (1-b1) g/(1-b1^t)."""
    x, m, v, xs = x1, 0.0, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1 ** t)
        d = math.sqrt(v / (1 - b2 ** t)) + eps
        x = clamp(x - (lr_of(alpha, t, schedule) * mh / d if d else 0.0))
    return xs


def ref_nadam_dozat(gs, alpha, b1, b2, x1, schedule="sqrt"):
    """Dozat (2016) without bias correction, constant mu = b1: step (b1 m_t + (1-b1) g_t)/sqrt(v_t)."""
    x, m, v, xs = x1, 0.0, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = clamp(x - (lr_of(alpha, t, schedule) * (b1 * m + (1 - b1) * g) / math.sqrt(v) if v else 0.0))
    return xs


def ref_radam(gs, alpha, b1, b2, eps, x1, threshold, eps_on_raw, schedule="sqrt"):
    """Liu et al. Alg. 2; torch radam.py (eps on sqrt(v), sqrt(1-b2^t) outside); optax (eps on sqrt(v_hat))."""
    x, m, v, xs = x1, 0.0, 0.0, []
    rinf = 2 / (1 - b2) - 1
    for t, g in enumerate(gs, 1):
        xs.append(x)
        lr = lr_of(alpha, t, schedule)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh = m / (1 - b1 ** t)
        rt = rinf - 2 * t * b2 ** t / (1 - b2 ** t)
        if rt > threshold:
            r = math.sqrt((rt - 4) * (rt - 2) * rinf / ((rinf - 4) * (rinf - 2) * rt))
            if eps_on_raw:
                ad = math.sqrt(1 - b2 ** t) / (math.sqrt(v) + eps)
            else:
                ad = 1 / (math.sqrt(v / (1 - b2 ** t)) + eps)
            x = clamp(x - lr * r * mh * ad)
        else:
            x = clamp(x - lr * mh)
    return xs


def ref_adamw_torch(gs, alpha, b1, b2, eps, wd, x1, schedule="sqrt"):
    """torch adamw.py: p *= 1 - lr wd; then Adam with bias corrections, eps outside."""
    x, m, v, xs = x1, 0.0, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        lr = lr_of(alpha, t, schedule)
        x = x * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        d = math.sqrt(v) / math.sqrt(1 - b2 ** t) + eps
        x = clamp(x - lr / (1 - b1 ** t) * m / d)
    return xs


def ref_adabelief(gs, alpha, b1, b2, eps, eps_root, x1, bc, schedule="sqrt"):
    """Zhuang et al. Alg. 2: s = b2 s + (1-b2)(g-m)^2 + eps; x -= a m_hat/(sqrt(s_hat) + eps)."""
    x, m, s, xs = x1, 0.0, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * (g - m) ** 2 + eps_root
        mh, sh = (m / (1 - b1 ** t), s / (1 - b2 ** t)) if bc else (m, s)
        d = math.sqrt(sh) + eps
        x = clamp(x - (lr_of(alpha, t, schedule) * mh / d if d else 0.0))
    return xs


def ref_yogi(gs, alpha, b1, b2, eps, v0, m0, x1, schedule="sqrt"):
    """Zaheer et al. Alg. 2 / optax scale_by_yogi: v = v - (1-b2) sign(v - g^2) g^2; m/(sqrt(v)+eps)."""
    x, m, v, xs = x1, m0, v0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        m = b1 * m + (1 - b1) * g
        v = v - (1 - b2) * sgn(v - g * g) * g * g
        d = math.sqrt(v) + eps
        x = clamp(x - (lr_of(alpha, t, schedule) * m / d if d else 0.0))
    return xs


def ref_lion(gs, alpha, b1, b2, x1, wd=0.0, schedule="sqrt"):
    """Chen et al. Program 1: update = sign(b1 m + (1-b1) g) (+ wd x); m = b2 m + (1-b2) g."""
    x, m, xs = x1, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        c = b1 * m + (1 - b1) * g
        x = clamp(x - lr_of(alpha, t, schedule) * (sgn(c) + wd * x))
        m = b2 * m + (1 - b2) * g
    return xs


def ref_adadelta(gs, alpha, rho, eps, x1, schedule="sqrt"):
    """Zeiler Alg. 1 / torch adadelta.py: dx = sqrt(E[dx^2]+eps)/sqrt(E[g^2]+eps) g."""
    x, eg, ed, xs = x1, 0.0, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        eg = rho * eg + (1 - rho) * g * g
        dx = math.sqrt(ed + eps) / math.sqrt(eg + eps) * g
        ed = rho * ed + (1 - rho) * dx * dx
        x = clamp(x - lr_of(alpha, t, schedule) * dx)
    return xs


def ref_rprop(gs, lr, em, ep, smin, smax, x1):
    """torch rprop.py (iRprop-): size *= etaplus/etaminus/1 by sign(g prev), clamp; zero g on a flip."""
    x, prev, size, xs = x1, 0.0, lr, []
    for g in gs:
        xs.append(x)
        s = sgn(g * prev)
        size = min(smax, max(smin, size * (ep if s > 0 else em if s < 0 else 1.0)))
        if s < 0:
            g = 0.0
        x = clamp(x - size * sgn(g))
        prev = g
    return xs


def ref_adafactor_torch(gs, lr, decay, eps1, eps2, d, x1, relative, schedule="sqrt"):
    """torch _adafactor.py (vector): v.lerp_(g^2, t^decay); u = g/sqrt(max(v, eps1^2));
    u /= max(1, RMS(u)/d); rho = min(lr, 1/sqrt(t)); alpha = max(eps2, RMS(x)) rho."""
    x, v, xs = x1, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        w = t ** decay
        v = v + w * (g * g - v)
        u = g / math.sqrt(max(v, eps1 * eps1))
        u = u / max(1.0, abs(u) / d)
        rho = min(lr_of(lr, t, schedule), 1 / math.sqrt(t))
        a = max(eps2, abs(x)) * rho if relative else rho
        x = clamp(x - a * u)
    return xs


def ref_adopt(gs, alpha, b1, b2, eps, x1, clipping, schedule="sqrt"):
    """Taniguchi et al. Alg. 2 / optax.contrib.scale_by_adopt: v_0 = g_1^2; m += clip(g/max(sqrt(v_prev),
    eps), (t-1)^0.25); x -= lr m; v = b2 v + (1-b2) g^2."""
    x, m, v, xs = x1, 0.0, None, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        if v is None:
            v = g * g
            continue
        r = g / max(math.sqrt(v), eps)
        if clipping:
            c = (t - 1) ** 0.25
            r = min(c, max(-c, r))
        m = b1 * m + (1 - b1) * r
        x = clamp(x - lr_of(alpha, t, schedule) * m)
        v = b2 * v + (1 - b2) * g * g
    return xs


def ref_adabound(gs, alpha, b1, b2, eps, final_lr, gamma, x1, bc, schedule="sqrt"):
    """Luo et al. / the adabound package: step = clamp(lr sqrt(bc2)/bc1 / (sqrt(v)+eps), lower, upper) m."""
    x, m, v, xs = x1, 0.0, 0.0, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        lr = lr_of(alpha, t, schedule)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        size = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) if bc else lr
        fl = final_lr * lr / alpha
        lower, upper = fl * (1 - 1 / (gamma * t + 1)), fl * (1 + 1 / (gamma * t))
        d = math.sqrt(v) + eps
        eta = size / d if d else 0.0
        x = clamp(x - min(upper, max(lower, eta)) * m)
    return xs


def ref_sgdm(gs, lr, mom, damp, nesterov, x1, schedule="sqrt"):
    """torch sgd.py: buf = g at the first step, then mom buf + (1-damp) g; nesterov: g + mom buf."""
    x, buf, xs = x1, None, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        buf = g if buf is None else mom * buf + (1 - damp) * g
        d = g + mom * buf if nesterov else buf
        x = clamp(x - lr_of(lr, t, schedule) * d)
    return xs


def ref_asgd(gs, lr, lambd, power, x1, schedule="sqrt"):
    """torch asgd.py: p *= 1 - lambd eta; p -= eta g; then eta = lr_t/(1 + lambd lr_t t)^power."""
    x, eta, xs = x1, lr, []
    for t, g in enumerate(gs, 1):
        xs.append(x)
        x = clamp(x * (1 - lambd * eta) - eta * g)
        lrt = lr_of(lr, t, schedule)
        eta = lrt / (1 + lambd * lrt * t) ** power
    return xs


GS = grads()


# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant,bc", [("paper", False), ("kingma", True), ("pytorch", True), ("optax", True)])
def test_adamax_against_reference(variant, bc):
    eps = 0.0 if variant in ("paper", "kingma") else 1e-8
    close(ours("adamax", GS, alpha="0.3", beta1="0.9", beta2="0.99", eps=eps, variant=variant),
          ref_adamax(GS, 0.3, 0.9, 0.99, eps, 0.5, bc))


def test_nadam_variants_against_references():
    close(ours("nadam", GS, alpha="0.2", beta1="0.9", beta2="0.999", eps=1e-8, variant="pytorch"),
          ref_nadam_torch(GS, 0.2, 0.9, 0.999, 1e-8, 0.5, 0.004))
    close(ours("nadam", GS, alpha="0.2", beta1="0.9", beta2="0.999", eps=1e-8, variant="optax"),
          ref_nadam_optax(GS, 0.2, 0.9, 0.999, 1e-8, 0.5))
    close(ours("nadam", GS, alpha="0.2", beta1="0.9", beta2="0.999", variant="paper"),
          ref_nadam_dozat(GS, 0.2, 0.9, 0.999, 0.5))


@pytest.mark.parametrize("variant,thr,raw", [("paper", 4, False), ("pytorch", 5, True), ("optax", 5, False)])
def test_radam_against_reference(variant, thr, raw):
    eps = 1e-8 if variant != "paper" else 0.0
    # beta2 = 0.9: rho_inf = 19, rho_t crosses the threshold after a few rounds (both branches run)
    close(ours("radam", GS, alpha="0.2", beta1="0.9", beta2="0.9", eps=eps, variant=variant),
          ref_radam(GS, 0.2, 0.9, 0.9, eps, 0.5, thr, raw))


def test_adamw_against_reference_and_is_adam_at_zero_decay():
    close(ours("adamw", GS, alpha="0.2", beta1="0.9", beta2="0.99", eps=1e-8, weight_decay="0.5"),
          ref_adamw_torch(GS, 0.2, 0.9, 0.99, 1e-8, 0.5, 0.5))
    a = ours("adamw", GS, alpha="0.2", beta1="0.9", beta2="0.99", eps=1e-8, weight_decay=0)
    b = ours("adam", GS, alpha="0.2", beta1="0.9", beta2="0.99", eps=1e-8, variant="pytorch")
    assert a == b


@pytest.mark.parametrize("bc", [False, True])
def test_adabelief_against_reference(bc):
    close(ours("adabelief", GS, alpha="0.2", beta1="0.9", beta2="0.99", eps=1e-8, bias_correction=bc),
          ref_adabelief(GS, 0.2, 0.9, 0.99, 1e-8, 1e-8, 0.5, bc))
    close(ours("adabelief", GS, alpha="0.2", beta1="0.9", beta2="0.99", eps=1e-16, eps_root=1e-16,
               variant="optax"), ref_adabelief(GS, 0.2, 0.9, 0.99, 1e-16, 1e-16, 0.5, True))


def test_yogi_against_reference():
    close(ours("yogi", GS, alpha="0.2", beta1="0.9", beta2="0.99", eps="1e-3", variant="optax", bias_correction=False),
          ref_yogi(GS, 0.2, 0.9, 0.99, 1e-3, 1e-6, 1e-6, 0.5))
    close(ours("yogi", GS, alpha="0.2", beta1="0.9", beta2="0.99", variant="paper"),
          ref_yogi(GS, 0.2, 0.9, 0.99, 0.0, 0.0, 0.0, 0.5))


def test_lion_signsgd_against_reference_and_each_other():
    close(ours("lion", GS, alpha="0.05", beta1="0.9", beta2="0.99"), ref_lion(GS, 0.05, 0.9, 0.99, 0.5), 0)
    close(ours("lion", GS, alpha="0.05", beta1="0.9", beta2="0.99", weight_decay="0.3"),
          ref_lion(GS, 0.05, 0.9, 0.99, 0.5, wd=0.3))
    # Lion with beta1 = beta2 = b is Signum(b); beta1 = 0 is signSGD (sign(g))
    assert ours("lion", GS, alpha="0.05", beta1="0.8", beta2="0.8") == ours("signsgd", GS, alpha="0.05", beta1="0.8")
    x, xs = 0.5, []
    for t, g in enumerate(GS, 1):
        xs.append(x)
        x = clamp(x - 0.05 / math.sqrt(t) * sgn(g))
    assert ours("signsgd", GS, alpha="0.05") == xs


def test_adadelta_rprop_adafactor_adopt_adabound_sgdm_asgd_against_references():
    close(ours("adadelta", GS, alpha="0.5", rho="0.9", eps="1e-6"), ref_adadelta(GS, 0.5, 0.9, 1e-6, 0.5))
    close(ours("rprop", GS), ref_rprop(GS, 0.01, 0.5, 1.2, 1e-6, 50.0, 0.5), 0)
    close(ours("rprop", GS, alpha="0.3", step_max="0.7"), ref_rprop(GS, 0.3, 0.5, 1.2, 1e-6, 0.7, 0.5), 0)
    for rel in (True, False):
        close(ours("adafactor", GS, alpha="0.5", relative_step=rel),
              ref_adafactor_torch(GS, 0.5, -0.8, 2.0 ** -52, 1e-3, 1.0, 0.5, rel))
    for clp in (True, False):
        close(ours("adopt", GS, alpha="0.2", beta1="0.9", beta2="0.99", eps="1e-6", clipping=clp),
              ref_adopt(GS, 0.2, 0.9, 0.99, 1e-6, 0.5, clp))
    for bc in (False, True):
        close(ours("adabound", GS, alpha="0.2", beta1="0.9", beta2="0.99", eps="1e-8", bias_correction=bc),
              ref_adabound(GS, 0.2, 0.9, 0.99, 1e-8, 0.1, 1e-3, 0.5, bc))
    for nes, damp in ((False, 0.0), (True, 0.0), (False, 0.25)):
        close(ours("sgdm", GS, alpha="0.05", momentum="0.9", nesterov=nes, dampening=damp),
              ref_sgdm(GS, 0.05, 0.9, damp, nes, 0.5))
    close(ours("asgd", GS, alpha="0.1", lambd="0.01"), ref_asgd(GS, 0.1, 0.01, 0.75, 0.5))


def test_adagrad_lib_with_constant_rate_is_the_papers_adagrad():
    # torch's Adagrad, eps = 0, constant lr  ==  the paper's V_t = sum g^2 / t with alpha/sqrt(t)
    a = ours("adagrad_lib", GS, alpha="0.3", schedule="constant")
    b = ours("adagrad", GS, alpha="0.3", schedule="sqrt")
    close(a, b, 1e-14)


# ------------------------------------------------------------------------------------------------
# metamorphic
SCALE_FREE = [("adam", {}), ("adamax", {}), ("nadam", {}),
              ("adabelief", {}), ("yogi", {}), ("lion", {}), ("signsgd", {}), ("adopt", {}),
              ("rprop", {}), ("amsgrad", {})]


@pytest.mark.parametrize("name,kw", SCALE_FREE, ids=[n for n, _ in SCALE_FREE])
def test_scale_invariance_at_eps_zero_is_exact(name, kw):
    """With eps = 0 these steps are homogeneous of degree 0 in g; scaling by 4 is exact in binary."""
    base = ours(name, GS, alpha="0.2", **kw)
    assert ours(name, [4.0 * g for g in GS], alpha="0.2", **kw) == base
    assert ours(name, [g / 64.0 for g in GS], alpha="0.2", **kw) == base


MIRRORED = SCALE_FREE + [("radam", dict(variant="paper")), ("adamw", dict(weight_decay="0.5", eps="1e-8")), ("adadelta", {}),
                         ("adafactor", {}), ("adabound", {}), ("sgdm", {}), ("asgd", {}),
                         ("lion", dict(weight_decay="0.2"))]


@pytest.mark.parametrize("name,kw", MIRRORED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(MIRRORED)])
def test_mirror_symmetry(name, kw):
    """F = [-1, 1] is symmetric and every rule is odd in (g, x): g -> -g, x1 -> -x1 mirrors the path."""
    a = ours(name, GS, x1=0.5, alpha="0.2", **kw)
    b = ours(name, [-g for g in GS], x1=-0.5, alpha="0.2", **kw)
    assert b == [-u for u in a]


def test_scale_invariance_is_not_vacuous():
    # adadelta's eps and adafactor's eps1 / relative step break it: the metamorphic test can fail
    assert ours("adadelta", [4.0 * g for g in GS]) != ours("adadelta", GS)
    # RAdam is not scale-free even at eps = 0: its warm-up rounds (rho_t <= threshold) are SGD with
    # momentum, x -= alpha_t hat m_t, whose size is proportional to g
    assert ours("radam", [4.0 * g for g in GS], alpha="0.2")[1] != ours("radam", GS, alpha="0.2")[1]


# ------------------------------------------------------------------------------------------------
# the same definition on the other number systems
ZOO = ["adamax", "nadam", "radam", "adamw", "adabelief", "yogi", "lion", "signsgd", "adadelta", "rprop",
       "adafactor", "adopt", "adabound", "adagrad_lib", "sgdm", "asgd"]


@pytest.mark.parametrize("name", ZOO)
def test_every_backend_runs_the_one_definition(name):
    gs = [3, -1, -1, 2, 0, -1, 3, -1]
    prob = Explicit(values=[[g] for g in gs])
    x_float = float(run(make(name), prob, len(gs), x1="0.5").x_T)
    ball = run(make(name), prob, len(gs), x1="0.5", backend=ArbBackend(200)).x_T
    x_mp = run(make(name), prob, len(gs), x1="0.5", backend=MpmathBackend(40)).x_T
    assert abs(float(x_mp) - x_float) <= 1e-12
    assert ball.contains(ArbBackend(200).num(str(x_mp))) or abs(float(ball.mid()) - float(x_mp)) < 1e-30
    x_exact = run(make(name), prob, 4, x1="1/2", backend=SympyBackend()).x_T
    x_f4 = float(run(make(name), prob, 4, x1="0.5").x_T)
    assert abs(float(x_exact.evalf(30)) - x_f4) <= 1e-12


def test_lion_is_exact_in_rationals():
    """Sign steps with rational betas: the SymPy run is exact; an independent Fraction run agrees."""
    gs = [3, -1, -1, 3, -1, -1, 5, -2]
    x, m = Fraction(1, 2), Fraction(0)
    b1, b2 = Fraction(9, 10), Fraction(99, 100)
    for t, g in enumerate(gs, 1):
        c = b1 * m + (1 - b1) * g
        x = min(Fraction(1), max(Fraction(-1), x - Fraction(1, 4) * sgn(c)))
        m = b2 * m + (1 - b2) * g
    got = run(make("lion", alpha="1/4", schedule="constant"), Explicit(values=[[g] for g in gs]), len(gs),
              x1="1/2", backend=SympyBackend()).x_T
    assert got == x


def test_bad_variant_is_rejected_with_the_choices():
    with pytest.raises(ValueError, match="choose one of paper, pytorch, optax"):
        make("nadam", variant="keras")


def test_threshold_reads_strings_exactly_and_checks_the_range():
    """``threshold`` takes "1/2" and "0.9" as the CLI does (they once reached a float() deep in drift and raised);
    Adam's certified threshold at (1/2, 9/10) is 8, the closed-form answer of
    counterexamples.drift.smallest_diverging_C (and of the Fraction call)."""
    from counterexamples.zoo import ROW_BY_KEY, threshold

    th = threshold(ROW_BY_KEY["adam"], "1/2", "0.9", C_max=16)
    assert th["C"] == 8 and th["status"] == "proved"
    assert th["C"] == threshold(ROW_BY_KEY["adam"], Fraction(1, 2), Fraction(9, 10), C_max=16)["C"]
    with pytest.raises(ValueError, match="beta1"):
        threshold(ROW_BY_KEY["adam"], "0.99", "0.9", C_max=16)


def test_a_row_without_a_limit_form_reports_its_reason_as_plain_text():
    """A row's ``why`` is its one reason; where it sets maths in mathtext (``$...$``, for the phase panels),
    the JSON and the terminal get it as plain ASCII maths (``Row.reason``): no dollar, no backslash, the
    words and numbers kept."""
    from counterexamples.zoo import ROW_BY_KEY, ROWS, threshold

    marked = [r for r in ROWS if "$" in r.why]
    assert {r.key for r in ROWS if r.limit is None} <= {r.key for r in marked}  # every grey panel sets maths
    for row in ROWS:
        assert "$" not in row.reason and "\\" not in row.reason, (row.key, row.reason)
    assert ROW_BY_KEY["adafactor"].reason.startswith("hat beta_{2t} = 1 - t^{-0.8} -> 1 changes with t")
    assert ROW_BY_KEY["asgd"].reason == "the decay lambda eta_t x_t (torch's lambd) reads x: simulation only"
    th = threshold(ROW_BY_KEY["rprop"], "0.9", "0.99")
    assert th["reason"] == th["note"] == "UNKNOWN: " + ROW_BY_KEY["rprop"].reason
    assert th["reason"].endswith("the criterion needs alpha_t -> 0")
