"""Compiled certified arithmetic for the fast-forward's exact phase: double-double midpoint-radius
intervals in numba, and the rule's update compiled onto them from the same specialised loop body that
the arb ball loop runs (:func:`numerics.engine.specialise.specialise`: one definition of the update).

A value is a triple ``(h, l, r)`` of float64: it stands for every real in ``[h + l - r, h + l + r]``
(the centre ``h + l`` is exact: a double-double, ~106 bits; the radius ``r >= 0``).  Each operation
computes its centre with a double-word algorithm and adds to the radius

* the propagated radius (first-order terms and their products, as arb's ``mag`` arithmetic does), and
* a bound on the centre's own error: ``ERR_REL |h| + ETA``.  The published bounds of the double-word
  algorithms used (Joldes, Muller & Popescu, "Tight and rigorous error bounds for basic building blocks
  of double-word arithmetic", ACM TOMS 44(2), 2017: AccurateDWPlusDW <= 3u^2 + 13u^3, DWTimesDW1 <= 7u^2,
  DWDivDW2 <= 15u^2 + 56u^3; the square root of a double-word, Lefèvre, Louvet, Muller, Picot & Rideau,
  ACM TOMS 2023, <= 25/8 u^2; u = 2^-53; cited from memory, UNVERIFIED against the printed text) are
  all below 16 u^2 = 2^-102 relative; ``ERR_REL`` = 2^-97 of the computed |h| is >= 2^-98 of the exact
  result (>= 16x every bound), and ``ETA`` = 2^-1000 absolute covers underflow (each op loses at most a
  few 2^-1074 in subnormal range).

Every float operation on radii is rounded to nearest and then pushed up by :func:`up` (``z (1 + 2^-50)
+ 2^-1060``: at least one ulp above, so an upper bound of the exact value).  Overflow is not modelled:
a centre above ``BIG`` = 2^900 in magnitude becomes NaN, NaN propagates through every operation
(``max`` and ``min`` included), and the loop stops at the first round whose x, loss or state is not
finite, handing the round back to the arb ball loop (:func:`compiled_exact_loop`'s status).  A divisor
or a square root's argument whose interval reaches 0 (or below) gives NaN the same way.

Tests: tests/test_dd_intervals.py (each operation contains the high-precision arb value at points of its
input intervals, random and adversarial; an operation built without its error term fails that test;
the compiled loop's intervals contain the arb loop's balls for every rule it compiles).
"""
from __future__ import annotations

import ast
import math

__all__ = ["build_ops", "OPS", "from_arb", "to_arb", "compiled_exact_loop", "NotCompilable", "ERR_REL", "ETA"]

ERR_REL = 2.0 ** -97
ETA = 2.0 ** -1000
BIG = 2.0 ** 900
NAN3 = (math.nan, math.nan, math.inf)


class NotCompilable(Exception):
    """The specialised body uses an operation the compiled intervals do not cover (the arb loop runs)."""


def build_ops(err_rel: float = ERR_REL, eta: float = ETA, broken: str | None = None) -> dict:
    """The interval operations as numba functions (a dict name -> function).

    ``broken`` names one operation to build *without* its outward rounding (its centre error term and
    radius push dropped): only tests use it, to show that the containment tests catch such an op.

    The operations are the body of :func:`_ops_template` (their one definition), written out as a module
    with these constants as literals and loaded from a file named by its hash
    (:func:`numerics.engine.source.load_module`), so that numba caches the compiled code on disk (a
    fresh process pays no compile); where no cache directory can be written, the same text is executed
    without a cache."""
    import inspect
    import textwrap

    from .source import load_module

    er = {k: (0.0 if broken == k else err_rel) for k in ("add", "mul", "div", "sqrt", "int")}
    ea = {k: (0.0 if broken == k else eta) for k in er}
    push = {k: (0.0 if broken == k else 2.0 ** -50) for k in er}
    tiny = 2.0 ** -1060
    consts = dict(tiny=tiny, big=BIG, err_rel=err_rel, eta=eta,
                  er_add=er["add"], er_mul=er["mul"], er_div=er["div"], er_sqrt=er["sqrt"], er_int=er["int"],
                  ea_add=ea["add"], ea_mul=ea["mul"], ea_div=ea["div"], ea_sqrt=ea["sqrt"],
                  p_add=push["add"], p_mul=push["mul"], p_div=push["div"], p_sqrt=push["sqrt"],
                  t_add=0.0 if broken == "add" else tiny, t_mul=0.0 if broken == "mul" else tiny,
                  t_div=0.0 if broken == "div" else tiny, t_sqrt=0.0 if broken == "sqrt" else tiny)
    src = inspect.getsource(_ops_template)
    body = src[src.index('    @njit(inline="always")'):src.index("    return dict(")]
    body = textwrap.dedent(body).replace('@njit(inline="always")', '@njit(inline="always", cache=_CACHE)')
    # no C-callable wrapper: the operations are called from Python (tests) and compiled loops, never through a
    # C function pointer (numba builds that wrapper for every @njit function by default, for nothing here)
    body = body.replace("@njit\n", "@njit(cache=_CACHE, no_cfunc_wrapper=True)\n")
    head = ["import math", "from numba import njit", "nan = math.nan", "inf = math.inf"]
    head += [f"{k} = float.fromhex({v.hex()!r})" for k, v in consts.items()]  # exact (hex) literals
    names = ("i_gt", "i_add", "i_sub", "i_neg", "i_mul", "i_div", "i_sqrt", "i_int", "i_max", "i_min", "i_is_zero",
             "i_ok")
    text = "\n".join(head) + "\n_CACHE = True\n\n" + body
    mod = load_module(text)
    if mod is None:  # no writable cache directory: the same text, compiled in memory
        ns: dict = {}
        exec(compile(text.replace("_CACHE = True", "_CACHE = False"), "<interval ops>", "exec"), ns)
        return {k: ns[k] for k in names}
    _MODULE_OF[id(mod.i_add)] = mod.__name__
    return {k: getattr(mod, k) for k in names}


def _ops_template():  # pragma: no cover - never called: its body is the text build_ops writes out
    """The interval operations' one definition (see :func:`build_ops`; the names it reads, er_add,
    tiny, ..., are module constants of the written module)."""
    from numba import njit

    @njit(inline="always")
    def up(z, p, t):  # z >= 0 rounded to nearest -> an upper bound of the exact value (p = 2^-50)
        return z * (1.0 + p) + t

    @njit(inline="always")
    def two_sum(a, b):
        s = a + b
        bb = s - a
        return s, (a - (s - bb)) + (b - bb)

    @njit(inline="always")
    def fast_two_sum(a, b):  # |a| >= |b| (or a = 0)
        s = a + b
        return s, b - (s - a)

    @njit(inline="always")
    def split(a):
        c = 134217729.0 * a
        ah = c - (c - a)
        return ah, a - ah

    @njit(inline="always")
    def two_prod(a, b):  # Dekker: exact without overflow (|a|, |b| < 2^996)
        p = a * b
        ah, al = split(a)
        bh, bl = split(b)
        return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl

    @njit(inline="always")
    def dd_add(xh, xl, yh, yl):  # AccurateDWPlusDW
        sh, sl = two_sum(xh, yh)
        th, tl = two_sum(xl, yl)
        c = sl + th
        vh, vl = fast_two_sum(sh, c)
        w = tl + vl
        return fast_two_sum(vh, w)

    @njit(inline="always")
    def dd_mul(xh, xl, yh, yl):  # DWTimesDW1
        ch, cl1 = two_prod(xh, yh)
        cl2 = xh * yl + xl * yh
        return fast_two_sum(ch, cl1 + cl2)

    @njit(inline="always")
    def dd_div(xh, xl, yh, yl):  # DWDivDW2
        th = xh / yh
        rh, rl = two_prod(yh, th)
        rl = rl + yl * th  # DWTimesFP: (yh + yl) th
        rh, rl = fast_two_sum(rh, rl)
        ph = xh - rh
        dl = xl - rl
        d = ph + dl
        tl = d / yh
        return fast_two_sum(th, tl)

    @njit(inline="always")
    def dd_sqrt(xh, xl):  # SQRTDWtoDW
        sh = math.sqrt(xh)
        ph, pl = two_prod(sh, sh)
        r1 = (xh - ph) - pl
        r2 = xl + r1
        sl = r2 / (2.0 * sh)
        return fast_two_sum(sh, sl)

    @njit(inline="always")
    def absu(h, l):  # an upper bound of |h + l|
        return (abs(h) + abs(l)) * (1.0 + 2.0 ** -50) + tiny

    @njit(inline="always")
    def finish(h, l, r):
        if not abs(h) <= big:  # overflow risk, or NaN: NaN (the loop hands the round to arb)
            return nan, nan, inf
        return h, l, r

    @njit
    def i_add(a, b):
        h, l = dd_add(a[0], a[1], b[0], b[1])
        r = up(up(a[2] + b[2], p_add, t_add) + er_add * abs(h) + ea_add, p_add, t_add)
        return finish(h, l, r)

    @njit
    def i_neg(a):
        return -a[0], -a[1], a[2]

    @njit
    def i_sub(a, b):
        return i_add(a, (-b[0], -b[1], b[2]))

    @njit
    def i_mul(a, b):
        h, l = dd_mul(a[0], a[1], b[0], b[1])
        A, Bm = absu(a[0], a[1]), absu(b[0], b[1])
        prop = up(up(A * b[2], p_mul, t_mul) + up(Bm * a[2], p_mul, t_mul), p_mul, t_mul)
        prop = up(prop + up(a[2] * b[2], p_mul, t_mul), p_mul, t_mul)
        r = up(prop + er_mul * abs(h) + ea_mul, p_mul, t_mul)
        return finish(h, l, r)

    @njit
    def i_div(a, b):
        # |x/y - ca/cb| <= (|ca| rb + |cb| ra) / (|cb| (|cb| - rb)) for |y - cb| <= rb < |cb|
        Bl = (abs(b[0]) - abs(b[1])) * (1.0 - 2.0 ** -50) - tiny  # a lower bound of |cb|
        den = (Bl - b[2]) * (1.0 - 2.0 ** -50) - tiny  # a lower bound of |cb| - rb
        if not (den > 0.0):  # the divisor's interval reaches 0 (or NaN): undecided
            return nan, nan, inf
        h, l = dd_div(a[0], a[1], b[0], b[1])
        A, Bu = absu(a[0], a[1]), absu(b[0], b[1])
        num = up(up(A * b[2], p_div, t_div) + up(Bu * a[2], p_div, t_div), p_div, t_div)
        den2 = (Bl * den) * (1.0 - 2.0 ** -50)
        if not (den2 > 0.0):
            return nan, nan, inf
        r = up(up(num / den2, p_div, t_div) + er_div * abs(h) + ea_div, p_div, t_div)
        return finish(h, l, r)

    @njit
    def i_sqrt(a):
        # |sqrt(y) - sqrt(c)| = |y - c| / (sqrt(y) + sqrt(c)) <= r / sqrt(c) for y in [c - r, c + r], y >= 0
        lo = (a[0] - abs(a[1])) * (1.0 - 2.0 ** -50) - tiny  # <= c
        if not (lo - a[2] * (1.0 + 2.0 ** -50) >= 0.0):  # part of the interval may be negative: undecided
            if a[0] == 0.0 and a[1] == 0.0 and a[2] == 0.0:
                return 0.0, 0.0, 0.0
            return nan, nan, inf
        if lo <= 0.0:
            return nan, nan, inf
        h, l = dd_sqrt(a[0], a[1])
        sl = math.sqrt(lo) * (1.0 - 2.0 ** -50)  # <= sqrt(c)
        r = up(up(a[2] / sl, p_sqrt, t_sqrt) + er_sqrt * abs(h) + ea_sqrt, p_sqrt, t_sqrt)
        return finish(h, l, r)

    @njit
    def i_int(t):  # an integer as an interval (exact below 2^53, else widened by the conversion's error)
        h = float(t)
        if abs(h) < 9007199254740992.0:
            return h, 0.0, 0.0
        return h, 0.0, abs(h) * 2.0 ** -52 + er_int * abs(h)

    @njit
    def upper_diff(a, b):  # an upper bound of (h_a + l_a) - (h_b + l_b), centres only
        h, l = dd_add(a[0], a[1], -b[0], -b[1])
        v = h + l
        return v + abs(v) * 2.0 ** -50 + err_rel * abs(h) + eta + tiny

    @njit
    def i_max(a, b):
        # centre A (the operand with the larger centre, as far as a float test tells: any choice is sound),
        # radius max(r_A, r_B + d), d >= c_B - c_A: x <= max(x, y) <= max(c_A + r_A, c_B + r_B) for x in A
        if a[0] != a[0] or b[0] != b[0] or a[2] != a[2] or b[2] != b[2]:
            return nan, nan, inf
        if a[0] > b[0] or (a[0] == b[0] and a[1] >= b[1]):
            A, Bb = a, b
        else:
            A, Bb = b, a
        d = upper_diff(Bb, A)
        e = Bb[2] + d
        if e > 0.0:
            e = e * (1.0 + 2.0 ** -50) + tiny
        if A[2] >= e:
            return A
        return A[0], A[1], e

    @njit
    def i_min(a, b):
        m = i_max((-a[0], -a[1], a[2]), (-b[0], -b[1], b[2]))
        return -m[0], -m[1], m[2]

    @njit
    def i_is_zero(a):  # arb's is_zero: the ball is exactly 0
        return a[0] == 0.0 and a[1] == 0.0 and a[2] == 0.0

    @njit
    def i_ok(a):
        return math.isfinite(a[0]) and math.isfinite(a[1]) and math.isfinite(a[2])

    @njit
    def i_gt(a, b):  # certainly every x in a exceeds every y in b: c_a - c_b > r_a + r_b
        lo = -upper_diff(b, a)  # <= c_a - c_b
        return lo > (a[2] + b[2]) * (1.0 + 2.0 ** -50) + tiny

    return dict(i_gt=i_gt, i_add=i_add, i_sub=i_sub, i_neg=i_neg, i_mul=i_mul, i_div=i_div, i_sqrt=i_sqrt, i_int=i_int,
                i_max=i_max, i_min=i_min, i_is_zero=i_is_zero, i_ok=i_ok)


_OPS: dict | None = None
_MODULE_OF: dict = {}  # id(ops' i_add) -> name of the written module that defines them (for cached loops)


_OP_NAMES = ("i_gt", "i_add", "i_sub", "i_neg", "i_mul", "i_div", "i_sqrt", "i_int", "i_max", "i_min", "i_is_zero",
             "i_ok")


def _compile_with_ops(src: str, name: str, label: str):
    """The function ``name`` of ``src`` (a def reading the interval operations by their names), compiled by
    numba: written out as a module that imports the sound operations' written module, so numba caches
    it on disk (numerics.engine.source.load_module: named by the text's hash), else compiled in memory."""
    from numba import njit

    from .source import load_module

    ops = OPS()
    opsmod = _MODULE_OF.get(id(ops["i_add"]))
    if opsmod is not None:
        text = ("import math\nimport sys\nfrom numba import njit\n"
                f"_o = sys.modules[{opsmod!r}]\n" + "".join(f"{k} = _o.{k}\n" for k in _OP_NAMES)
                + "\n@njit(cache=True)\n" + src.lstrip("\n"))
        mod = load_module(text)
        if mod is not None:
            return getattr(mod, name)
    glb = dict(ops)
    glb["math"] = math
    exec(compile(src, label, "exec"), glb)
    return njit(glb[name])


_EXPLICIT = None


def explicit_loop():
    """The late phase's explicit rounds on intervals: x <- clamp_[a,b](x - (alpha w_i) t^-1/2), loss += q_i x
    (numerics.engine.fastforward._late, written there in arb; this is that loop statement by statement).
    Returns (0 or the first undecided round, x, xp, loss, wall): wall = +1 / -1 when the last clamp
    certainly acted (x is then exactly b / a: the caller puts the wall's own ball back), else 0."""
    global _EXPLICIT
    if _EXPLICIT is None:
        _EXPLICIT = _compile_with_ops(_EXPLICIT_SRC, "loop", "<compiled explicit rounds>")
    return _EXPLICIT


_EXPLICIT_SRC = '''
def loop(first, last, t0, n, x, xp, loss, AW, QB, a, b):
    wall = 0
    for t in range(first, last + 1):
        i = (t - t0) % n
        loss = i_add(loss, i_mul((QB[i, 0], QB[i, 1], QB[i, 2]), x))
        xp = x
        y = i_sub(x, i_div((AW[i, 0], AW[i, 1], AW[i, 2]), i_sqrt(i_int(t))))
        if i_gt(y, b):
            x, wall = b, 1
        elif i_gt(a, y):
            x, wall = a, -1
        else:
            x, wall = i_min(i_max(y, a), b), 0
        if not (i_ok(x) and i_ok(loss)):
            return t, x, xp, loss, wall
    return 0, x, xp, loss, wall
'''


def OPS() -> dict:
    """The sound operations (built once per process: numba compiles lazily)."""
    global _OPS
    if _OPS is None:
        _OPS = build_ops()
    return _OPS


def from_arb(x) -> tuple:
    """An arb ball (or an int) as an interval that contains it: the midpoint's leading double h, the
    rest's leading double l, and into the radius the ball's radius, the rest's own radius (if the
    subtraction rounded) and |rest - l| <= ulp(l) / 2, all rounded up."""
    import flint

    if not isinstance(x, flint.arb):
        x = flint.arb(x)
    m = x.mid()
    h = float(m)
    if not (math.isfinite(h) and abs(h) <= BIG):
        return NAN3
    rest = m - h
    lm = rest.mid()
    l = float(lm)
    # renormalise (fast two-sum, exact: h + l unchanged) in case a conversion did not round to nearest
    s_ = h + l
    h, l = s_, l - (s_ - h)
    r = float(x.rad()) + float(rest.rad())  # mag radii: few bits, exact or nearly in a double
    r = (r * (1.0 + 2.0 ** -50) + abs(l) * 2.0 ** -52) * (1.0 + 2.0 ** -50) + (2.0 ** -1060 if (r or l) else 0.0)
    if not math.isfinite(r):
        return NAN3
    return h, l, r


def to_arb(v, flint=None):
    """The interval as an arb ball that contains it."""
    if flint is None:
        import flint
    h, l, r = (float(c) for c in v)
    return flint.arb(h) + flint.arb(l) + flint.arb(0, r)


# ---------------------------------------------------------------------------------------------------
_OPMAP = {ast.Add: "i_add", ast.Sub: "i_sub", ast.Mult: "i_mul", ast.Div: "i_div"}


def _translate(sp, consts: dict) -> list:
    """The specialised body's statements with arb operations replaced by the interval operations.

    ``consts``: namespace names whose values are numbers (arb balls, ints) -> become interval arguments.
    Raises NotCompilable for anything else (a call the table does not know, a comparison, ...)."""
    import flint

    ns = sp.ns
    fn_map = {}
    for k, v in ns.items():
        if v is flint.arb.sqrt:
            fn_map[k] = "i_sqrt"
        elif v is flint.arb:
            fn_map[k] = "i_int"
        elif v is flint.arb.max:
            fn_map[k] = "i_max"
        elif v is flint.arb.min:
            fn_map[k] = "i_min"
        elif isinstance(v, (flint.arb, int)) and not isinstance(v, bool):
            consts[k] = v

    class Tr(ast.NodeTransformer):
        def visit_BinOp(self, n):
            self.generic_visit(n)
            op = _OPMAP.get(type(n.op))
            if op is None:
                raise NotCompilable(f"operator {type(n.op).__name__}")
            return ast.copy_location(ast.Call(ast.Name(op, ast.Load()), [n.left, n.right], []), n)

        def visit_UnaryOp(self, n):
            self.generic_visit(n)
            if isinstance(n.op, ast.USub):
                return ast.copy_location(ast.Call(ast.Name("i_neg", ast.Load()), [n.operand], []), n)
            raise NotCompilable(f"unary {type(n.op).__name__}")

        def visit_Constant(self, n):
            v = n.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise NotCompilable(f"constant {v!r}")
            if isinstance(v, int) and abs(v) >= 2 ** 53:
                raise NotCompilable("a large integer constant")
            return ast.copy_location(ast.parse(f"({float(v)!r}, 0.0, 0.0)", mode="eval").body, n)

        def visit_Compare(self, n):
            raise NotCompilable("a comparison")

        def visit_BoolOp(self, n):
            raise NotCompilable("a boolean operation")

        def visit_IfExp(self, n):
            t = n.test
            if not (isinstance(t, ast.Call) and isinstance(t.func, ast.Attribute) and t.func.attr == "is_zero"
                    and not t.args):
                raise NotCompilable("a conditional on something other than is_zero()")
            n.test = ast.Call(ast.Name("i_is_zero", ast.Load()), [self.visit(t.func.value)], [])
            n.body = self.visit(n.body)
            n.orelse = self.visit(n.orelse)
            return n

        def visit_Call(self, n):
            f = n.func
            if n.keywords:
                raise NotCompilable("a keyword argument")
            if isinstance(f, ast.Name) and fn_map.get(f.id) == "i_int":
                if len(n.args) != 1 or not (isinstance(n.args[0], ast.Name) and n.args[0].id == "_t"):
                    raise NotCompilable("arb(...) of something other than the round index")
                return ast.copy_location(ast.Call(ast.Name("i_int", ast.Load()), [ast.Name("_t", ast.Load())], []), n)
            args = [self.visit(a) for a in n.args]
            if isinstance(f, ast.Name) and f.id in fn_map:
                if fn_map[f.id] == "i_int":
                    if len(args) != 1 or not (isinstance(n.args[0], ast.Name) and n.args[0].id == "_t"):
                        raise NotCompilable("arb(...) of something other than the round index")
                    return ast.copy_location(ast.Call(ast.Name("i_int", ast.Load()), [ast.Name("_t", ast.Load())],
                                                      []), n)
                return ast.copy_location(ast.Call(ast.Name(fn_map[f.id], ast.Load()), args, []), n)
            if isinstance(f, ast.Attribute) and f.attr in ("max", "min", "sqrt") and len(args) == (
                    0 if f.attr == "sqrt" else 1):
                return ast.copy_location(ast.Call(ast.Name("i_" + f.attr, ast.Load()),
                                                  [self.visit(f.value)] + args, []), n)
            raise NotCompilable(f"call {ast.unparse(n)}")

        def visit_Attribute(self, n):
            raise NotCompilable(f"attribute {ast.unparse(n)}")

        def visit_Subscript(self, n):
            raise NotCompilable("a subscript")

        def visit_Name(self, n):
            if n.id == "_t":
                raise NotCompilable("the round index used other than in arb(_t)")
            if n.id in fn_map:
                raise NotCompilable(f"{n.id} used as a value")
            if n.id in ns and n.id not in consts:
                raise NotCompilable(f"{n.id}: not a number")
            return n

    out = []
    for text in sp.body:
        tree = ast.parse(text)
        for s in tree.body:
            if isinstance(s, ast.Pass):  # a folded branch (a switch of the rule that is off)
                continue
            if not isinstance(s, ast.Assign):
                raise NotCompilable(f"statement {type(s).__name__}")
            s.value = Tr().visit(s.value)
            ast.fix_missing_locations(s)
            out.append(ast.unparse(s))
    return out


_LOOP = '''
def loop(t_start, t_end, n, x, xp, loss, {state}, lo, hi, G, M, K):
    {consts}
    for _t in range(t_start, t_end + 1):
        _ph = (_t - 1) % n
        _g = (G[_ph, 0], G[_ph, 1], G[_ph, 2])
        {memo}
        loss = i_add(loss, i_mul(_g, x))
        xp = x
        {body}
        x = i_min(i_max(i_sub(x, _step), lo), hi)
        if not (i_ok(x) and i_ok(loss) and {oks}):
            return _t, x, xp, loss, {state}
    return 0, x, xp, loss, {state}
'''


class CompiledExact:
    """The rule's exact-phase loop compiled onto double-double intervals (see :func:`compiled_exact_loop`)."""

    def __init__(self, fn, sp, const_names, memo_names, state_names, prelude_ns_names):
        self.fn, self.sp = fn, sp
        self.const_names, self.memo_names, self.state_names = const_names, memo_names, state_names
        self.prelude_names = prelude_ns_names


_CACHE: dict = {}


def compiled_exact_loop(method, S, sp=None):
    """A :class:`CompiledExact` for the rule (cached per rule key: numba compiles once per process), or
    raises NotCompilable.  The loop body is the specialised body of the arb loop, each arb operation
    replaced by its interval operation (:func:`_translate`), so the update is the rule's one definition."""
    import numpy as np
    from numba import njit

    from .specialise import NotSpecialisable, specialise

    key = method.rule.key
    if key in _CACHE:
        if isinstance(_CACHE[key], NotCompilable):
            raise _CACHE[key]
        return _CACHE[key]
    try:
        if sp is None:
            _, update = method.rule.make(S)
            try:
                sp = specialise(update, method.rule.State)
            except NotSpecialisable as exc:
                raise NotCompilable(f"not specialisable: {exc}")
        consts: dict = {}
        body = _translate(sp, consts)
        # names set by the prelude (numbers of h, hoisted invariants): computed in arb, passed as intervals
        pre_names = []
        for line in sp.prelude:
            tgt = line.split("=", 1)[0].strip()
            pre_names.append(tgt)
        memo_names = [nm for nm, _ in sp.memo]
        const_names = sorted(set(consts) | set(pre_names))
        state_names = [f"_s_{f}" for f in sp.state]
        ind = "\n        "
        src = _LOOP.format(
            state=", ".join(state_names),
            consts="\n    ".join(f"{c} = (K[{j}, 0], K[{j}, 1], K[{j}, 2])" for j, c in enumerate(const_names))
            or "pass",
            memo=ind.join(f"{m} = (M[_ph, {j}, 0], M[_ph, {j}, 1], M[_ph, {j}, 2])" for j, m in enumerate(memo_names))
            or "pass",
            body=ind.join(body),
            oks=" and ".join(f"i_ok({s})" for s in state_names))
        fn = _compile_with_ops(src, "loop", f"<compiled interval loop {method.rule.State.__name__}>")
        out = CompiledExact(fn, sp, const_names, memo_names, state_names, pre_names)
        out.consts = consts
        out.source = src
        _CACHE[key] = out
        return out
    except NotCompilable as exc:
        _CACHE[key] = exc
        raise


def prepare(ce: CompiledExact, h, gballs, keys=None):
    """(K, M, G): the loop's constants, per-phase memo values and gradients as interval arrays, computed
    in arb exactly as the arb loop computes them (its prelude and memo expressions), then enclosed.
    ``keys``: exact values of the gradients (equal keys: the same ball), so that a period of two
    distinct gradients evaluates the memo twice, not n times.  Raises NotCompilable where a value is
    not a number."""
    import flint
    import numpy as np

    sp = ce.sp
    env = dict(sp.ns)
    env["h"] = h
    if not hasattr(ce, "memo_code"):  # compiled once per rule (compiling the text costs more than running it)
        ce.memo_code = [(nm, compile(e, "<memo>", "eval")) for nm, e in sp.memo]
        ce.prelude_code = compile("\n".join(sp.prelude) or "pass", "<prelude>", "exec")
    exec(ce.prelude_code, env)

    def enc(v):
        if isinstance(v, bool) or not isinstance(v, (flint.arb, int)):
            raise NotCompilable(f"a value of type {type(v).__name__} in the prelude or memo")
        return from_arb(v)

    K = np.array([enc(env[c]) for c in ce.const_names] or np.zeros((0, 3)), dtype=np.float64).reshape(-1, 3)
    # the distinct gradients once each (a period of 101 rounds with two values: two memo evaluations)
    first: dict = {}
    idx = []
    for i, g in enumerate(gballs):
        k = keys[i] if keys is not None else None
        k = (k.numerator, k.denominator) if hasattr(k, "denominator") else (i if k is None else k)
        idx.append(first.setdefault(k, len(first)))
    reps = [None] * len(first)
    for i, j in enumerate(idx):
        if reps[j] is None:
            reps[j] = gballs[i]
    Mu = np.zeros((len(reps), max(1, len(ce.memo_names)), 3))
    Gu = np.zeros((len(reps), 3))
    for u, g in enumerate(reps):
        env["_g"] = g
        for j, (nm, code) in enumerate(ce.memo_code):
            env[nm] = eval(code, env)
            Mu[u, j] = enc(env[nm])
        Gu[u] = enc(g)
    ix = np.asarray(idx, dtype=np.int64)
    return K, Mu[ix], Gu[ix]
