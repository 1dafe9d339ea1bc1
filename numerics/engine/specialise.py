"""A rule's ``update`` rewritten, by program transformation, as the body of a loop over rounds.

The certified ball loop (:mod:`numerics.engine.arb`) pays for every Python-level operation, so it
runs the rule's own source after these rewrites (nothing is written by hand; each rewrite keeps
every value the loop uses):

1. *inline* the helpers the update calls (schedules, ``safe_div``, ...: plain functions whose body
   is one ``return``), with their switches (bools, ints, strings) as literals;
2. *fold* ``if`` / ``x if c else y`` on literal switches (what a compiler does with them);
3. *classify* each expression by what it depends on: nothing that changes between rounds (the
   numbers ``h`` and constants), the round index ``t``, the gradient ``g``, the state;
4. *hoist* what depends on nothing (computed once, before the loop: ``1 - beta1`` for a constant
   beta1) and *memoise* what depends on ``g`` alone (``(1 - beta1) g``, ``g * g``), per gradient
   object, as the problem yields the same objects again (a periodic pattern, two Bernoulli values);
5. drop the third result (``inv_lr``, which the loop never reads) and keep the state in locals.

Why this gives the same balls: every operation is a deterministic, side-effect-free function of its
operands at one precision, so evaluating it once instead of every round, or earlier, returns the
same ball.  The same expression trees are evaluated (no re-association, no algebra), only fewer
times.  ``tests/test_engine_arb.py`` compares midpoints and radii with :func:`numerics.run.run`.

Anything outside this small language (loops, several returns, assignments to non-names, a bare
``h`` or ``state``) raises :class:`NotSpecialisable`; the caller then runs the plain loop.
"""
from __future__ import annotations

import __future__
import ast
import copy
import dis
import inspect
import math
import textwrap
import types

NONE, T, G, S, X = frozenset(), frozenset("t"), frozenset("g"), frozenset("s"), frozenset("x")


_FUTURE_FLAGS = 0
for _f in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _f).compiler_flag


class NotSpecialisable(Exception):
    """The update uses a construct the rewrites do not cover (the caller runs the plain loop)."""


def _def_of(fn, helper: bool = False) -> ast.FunctionDef:
    try:
        src = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as exc:
        raise NotSpecialisable(f"no source for {fn!r}") from exc
    node = ast.parse(src).body[0]
    # the source is read from the file by line number: a file edited since the import gives another
    # function's text, or this function's new text, which would be rewritten into a loop that is not the
    # rule the process runs (then nothing is rewritten)
    if isinstance(node, ast.FunctionDef) and (node.name != fn.__name__ or not _same_code(node, fn)):
        raise NotSpecialisable(f"the source of {fn.__qualname__} changed since it was imported")
    # a helper's decorator (numba's njit around a backend function) is not part of its value
    if not isinstance(node, ast.FunctionDef) or (node.decorator_list and not helper):
        raise NotSpecialisable(f"{getattr(fn, '__qualname__', fn)}: not a plain def")
    a = node.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or a.posonlyargs:
        raise NotSpecialisable(f"{fn.__qualname__}: only positional parameters are covered")
    return node


def _code_key(code) -> tuple:
    """What a code object computes, without line numbers or the compiler's choice between loading a
    module's attribute and loading a method (CPython 3.11 picks by whether the module is imported in the
    same compilation unit): each instruction's name and argument, jumps by the index of their target,
    nested code objects by their own key."""
    ins = [i for i in dis.get_instructions(code) if i.opname not in ("CACHE", "EXTENDED_ARG", "NOP")]
    index = {i.offset: k for k, i in enumerate(ins)}
    out = []
    for i in ins:
        arg = i.argval
        if isinstance(arg, types.CodeType):
            arg = _code_key(arg)
        elif i.opcode in dis.hasjrel or i.opcode in dis.hasjabs:
            arg = index.get(arg, arg)
        elif not isinstance(arg, (str, int, float, complex, bytes, tuple, frozenset, type(None))):
            arg = repr(arg)
        out.append(("LOAD_ATTR" if i.opname == "LOAD_METHOD" else i.opname, type(arg).__name__, arg))
    return tuple(out), code.co_varnames, code.co_freevars


def _same_code(node: ast.FunctionDef, fn) -> bool:
    """Whether the text ``node`` compiles to ``fn``'s code: the def is compiled inside a function that binds
    ``fn``'s free variables, so that they compile as closure reads, as they did at the import."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return True  # a builtin or a numba dispatcher: no code object to compare (the caller's checks apply)
    inner = copy.deepcopy(node)
    inner.decorator_list = []  # a helper's decorator is not part of its code
    free = list(code.co_freevars)
    body = ([ast.Assign(targets=[ast.Name(v, ast.Store()) for v in free], value=ast.Constant(None))]
            if free else [])
    # a nested def compiles otherwise than a module-level one (CPython 3.11: math.sqrt(x) loads the method
    # in a nested function, the attribute at module level): nest it exactly when the original was nested
    if code.co_flags & inspect.CO_NESTED:
        outer = ast.parse("def _outer():\n    pass").body[0]  # parsed, so its fields suit this Python
        outer.body = body + [inner, ast.Return(ast.Name(node.name, ast.Load()))]
        top = [outer]
    else:
        top = [inner]
    mod = ast.fix_missing_locations(ast.Module(body=top, type_ignores=[]))
    try:
        compiled = compile(mod, code.co_filename, "exec", flags=code.co_flags & _FUTURE_FLAGS,
                           dont_inherit=True)
    except SyntaxError:
        return False
    if code.co_flags & inspect.CO_NESTED:
        compiled = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    mine = next((c for c in compiled.co_consts if isinstance(c, types.CodeType) and c.co_name == node.name), None)
    return mine is not None and _code_key(mine) == _code_key(code)


def _env(fn) -> dict:
    """The values of the free names of ``fn`` (closure cells, then the module globals it reads)."""
    env = {}
    for var, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        env[var] = cell.cell_contents
    local = set(fn.__code__.co_varnames)
    for var in fn.__code__.co_names:
        if var in fn.__globals__ and var not in env and var not in local:
            env[var] = fn.__globals__[var]
    return env


def _body_expr(node: ast.FunctionDef) -> ast.expr | None:
    """The expression of a helper whose body is one ``return`` (a docstring aside), else None."""
    body = [s for s in node.body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
        return body[0].value
    return None


def _is_literal(v) -> bool:
    return v is None or isinstance(v, (bool, int, str))


class _Inliner:
    """Free names become literals or namespace entries; one-``return`` helpers are inlined."""

    def __init__(self):
        self.ns: dict = {}
        self._names: dict[int, str] = {}
        self._keep: list = []  # keeps inlined helpers alive (their ids name namespace entries)

    def name_for(self, value, hint: str) -> str:
        k = id(value)
        if k not in self._names:
            name = f"_n{len(self._names)}_{hint}"
            self._names[k] = name
            self.ns[name] = value
            self._keep.append(value)
        return self._names[k]

    def expr(self, node: ast.AST, env: dict, params: dict, depth: int = 0) -> ast.AST:
        """``node`` with free names resolved in ``env`` and parameter names replaced by ``params``."""
        outer = self

        class R(ast.NodeTransformer):
            def visit_Name(self, n):
                if not isinstance(n.ctx, ast.Load):
                    return n
                if n.id in params:
                    return copy.deepcopy(params[n.id])
                if n.id in env:
                    v = env[n.id]
                    if _is_literal(v):
                        return ast.copy_location(ast.Constant(v), n)
                    return ast.copy_location(ast.Name(outer.name_for(v, n.id), ast.Load()), n)
                return n

            def visit_Attribute(self, n):
                # a module constant (schedules.FIRST_ROUND) is a literal
                if (isinstance(n.value, ast.Name) and n.value.id not in params and n.value.id in env
                        and isinstance(env[n.value.id], types.ModuleType)):
                    v = getattr(env[n.value.id], n.attr, None)
                    if _is_literal(v):
                        return ast.copy_location(ast.Constant(v), n)
                self.generic_visit(n)
                return n

            def visit_Call(self, n):
                f = n.func
                self.generic_visit(n)
                if (isinstance(f, ast.Name) and f.id not in params and f.id in env and depth < 8
                        and not n.keywords):
                    fn = getattr(env[f.id], "py_func", env[f.id])
                    if isinstance(fn, types.FunctionType) and fn.__name__ != "<lambda>":
                        inl = outer.inline(fn, n.args, depth)
                        if inl is not None:
                            return ast.copy_location(inl, n)
                return n

        return R().visit(node)

    def inline(self, fn, args, depth):
        try:
            node = _def_of(fn, helper=True)
        except NotSpecialisable:
            return None
        ret = _body_expr(node)
        names = [a.arg for a in node.args.args]
        if ret is None or len(names) != len(args):
            return None
        uses = {p: 0 for p in names}
        for n in ast.walk(ret):
            if isinstance(n, ast.Name) and n.id in uses:
                uses[n.id] += 1
        for p, a in zip(names, args):  # a parameter read twice: only a cheap argument is copied
            if uses[p] > 1 and not isinstance(a, (ast.Name, ast.Constant, ast.Attribute)):
                return None
        return self.expr(copy.deepcopy(ret), _env(fn), dict(zip(names, args)), depth + 1)


class _Fold(ast.NodeTransformer):
    """``if`` and ``a if c else b`` on a literal condition keep the branch taken; ``type(_t) is int``
    is True (every driver counts rounds with Python ints)."""

    def visit_Compare(self, n):
        self.generic_visit(n)
        f = n.left
        if (isinstance(f, ast.Call) and isinstance(f.func, ast.Name) and f.func.id == "type"
                and len(f.args) == 1 and isinstance(f.args[0], ast.Name) and f.args[0].id == "_t"
                and not f.keywords and len(n.ops) == 1 and isinstance(n.ops[0], ast.Is)
                and isinstance(n.comparators[0], ast.Name) and n.comparators[0].id == "int"):
            return ast.copy_location(ast.Constant(True), n)
        return n

    def visit_IfExp(self, n):
        self.generic_visit(n)
        if isinstance(n.test, ast.Constant):
            return n.body if n.test.value else n.orelse
        return n

    def visit_If(self, n):
        self.generic_visit(n)
        if isinstance(n.test, ast.Constant):
            return (n.body if n.test.value else n.orelse) or [ast.Pass()]
        return n


class Specialised:
    """The update as loop pieces (source text; names: ``_t`` round, ``_g`` gradient, ``_s_<f>``
    state fields, ``_h_<f>`` numbers, ``_step`` the step of the round).

    ``hyper``: fields of ``h`` read; ``state``: the state fields in order; ``prelude``: statements
    run once before the loop; ``memo``: (name, expression) pairs that depend on ``_g`` alone;
    ``body``: the statements of one round; ``ns``: the values the text names; ``tables``: (array,
    local or None, expression of ``_t``), read in the body as ``array[_k]`` for round ``_t``; ``roots``: (name,
    [last values of its changing inputs]) of each remembered square root (start them at NaN)."""

    def __init__(self, hyper, state, prelude, memo, body, ns, tables=(), roots=()):
        self.hyper, self.state, self.prelude, self.memo, self.body, self.ns = (
            hyper, state, prelude, memo, body, ns)
        self.tables, self.roots = list(tables), list(roots)


def specialise(update, State, *, t_tables: bool = False, memo_sqrt: bool = False) -> Specialised:
    """The rewrites of the module doc applied to ``update(h, g, state, t)`` (made on a scalar
    backend) whose state is the named tuple class ``State``.

    For compiled drivers: ``t_tables`` moves what depends on the round index alone into tables
    filled a block of rounds at a time (a loop of its own, which the compiler vectorises: alpha_t's
    root and division); ``memo_sqrt`` keeps ``math.sqrt(a)`` of the last round when the names ``a``
    reads that can change (state, gradient) hold the same nonzero numbers (AMSGrad's v_hat is often
    unchanged; equal nonzero floats have equal bits, so ``a`` and its root are the same bits)."""
    fn = getattr(update, "py_func", update)
    node = _def_of(fn)
    if len(node.args.args) != 4:
        raise NotSpecialisable("update must take (h, g, state, t)")
    p_h, p_g, p_s, p_t = (a.arg for a in node.args.args)
    inl = _Inliner()
    env = {k: v for k, v in _env(fn).items() if k not in (p_h, p_g, p_s, p_t)}
    fields = list(State._fields)
    hyper: list[str] = []

    class Params(ast.NodeTransformer):  # h.f -> _h_f, state.f -> _s_f, g -> _g, t -> _t
        def visit_Attribute(self, n):
            if isinstance(n.value, ast.Name) and n.value.id in (p_h, p_s):
                if n.value.id == p_h:
                    if n.attr not in hyper:
                        hyper.append(n.attr)
                    return ast.copy_location(ast.Name(f"_h_{n.attr}", ast.Load()), n)
                if n.attr not in fields:
                    raise NotSpecialisable(f"state has no field {n.attr!r}")
                return ast.copy_location(ast.Name(f"_s_{n.attr}", ast.Load()), n)
            self.generic_visit(n)
            return n

        def visit_Name(self, n):
            if n.id in (p_h, p_s):
                raise NotSpecialisable(f"bare use of {n.id!r}")
            if n.id == p_g:
                return ast.copy_location(ast.Name("_g", n.ctx), n)
            if n.id == p_t:
                return ast.copy_location(ast.Name("_t", n.ctx), n)
            return n

    local = set(fn.__code__.co_varnames) - {p_h, p_g, p_s, p_t}

    class Locals(ast.NodeTransformer):
        def visit_Name(self, n):
            if n.id in local:
                return ast.copy_location(ast.Name(f"_u_{n.id}", n.ctx), n)
            return n

    body = [Locals().visit(Params().visit(inl.expr(s, env, {}))) for s in node.body]
    tree = ast.Module(body=body, type_ignores=[])
    tree = _Fold().visit(tree)
    ast.fix_missing_locations(tree)
    stmts = [s for s in tree.body
             if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    ret = stmts[-1] if stmts else None
    if (not isinstance(ret, ast.Return) or not isinstance(ret.value, ast.Tuple)
            or len(ret.value.elts) != 3):
        raise NotSpecialisable("the update must end in 'return step, State(...), inv_lr'")
    stmts = stmts[:-1]
    for s in stmts:
        for n in ast.walk(s):
            if isinstance(n, (ast.Return, ast.For, ast.While, ast.With, ast.Try, ast.Lambda,
                              ast.FunctionDef, ast.Global, ast.Nonlocal, ast.Yield, ast.Delete,
                              ast.AugAssign, ast.NamedExpr, ast.ListComp, ast.GeneratorExp)):
                raise NotSpecialisable(f"{type(n).__name__} in the update is not covered")
            if isinstance(n, ast.Assign) and not (len(n.targets) == 1
                                                   and isinstance(n.targets[0], ast.Name)):
                raise NotSpecialisable("only assignments to one name are covered")
    step_expr, new_state, _inv_lr = ret.value.elts  # inv_lr: never read by the loop
    if not (isinstance(new_state, ast.Call) and isinstance(new_state.func, ast.Name)
            and inl.ns.get(new_state.func.id) is State):
        raise NotSpecialisable("the second result must be State(...)")
    st_args = list(new_state.args)
    for kw in new_state.keywords:
        if kw.arg is None:
            raise NotSpecialisable("State(**...) is not covered")
    if len(st_args) + len(new_state.keywords) != len(fields):
        raise NotSpecialisable("State(...) must give every field")
    by_name = dict(zip(fields, st_args))
    by_name.update({kw.arg: kw.value for kw in new_state.keywords})
    tail = [ast.Assign([ast.Name("_step", ast.Store())], step_expr)]
    tail.append(ast.Assign([ast.Tuple([ast.Name(f"_s_{f}", ast.Store()) for f in fields], ast.Store())],
                           ast.Tuple([by_name[f] for f in fields], ast.Load())))
    stmts = stmts + tail

    # --- what each local depends on (a branch's test counts for what it assigns) -------------
    assigns: dict[str, int] = {}
    top: set[str] = set()

    def count(block, at_top):
        for s in block:
            if isinstance(s, ast.Assign):
                v = s.targets[0].id if isinstance(s.targets[0], ast.Name) else None
                if v:
                    assigns[v] = assigns.get(v, 0) + 1
                    if at_top:
                        top.add(v)
            elif isinstance(s, ast.If):
                count(s.body, False)
                count(s.orelse, False)

    count(stmts, True)
    dep: dict[str, frozenset] = {}

    def cls(e) -> frozenset:
        out = set()
        for n in ast.walk(e):
            if isinstance(n, ast.Name):
                if n.id == "_t":
                    out |= T
                elif n.id == "_g":
                    out |= G
                elif n.id.startswith("_s_"):
                    out |= S
                elif n.id.startswith("_u_"):
                    out |= dep.get(n.id, X)
        return frozenset(out)

    def assigned(block):
        names = set()
        for s in block:
            for n in ast.walk(s):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    names.add(n.id)
        return names

    def classify(block, ctrl):
        for s in block:
            if isinstance(s, ast.Assign):
                if not isinstance(s.targets[0], ast.Name) or s.targets[0].id == "_step":
                    continue  # the round's results (step, new state): never hoisted
                v = s.targets[0].id
                c = cls(s.value) | ctrl
                # a local assigned more than once (or in a branch) changes within a round
                if assigns.get(v, 0) != 1 or v not in top:
                    c = c | X
                dep[v] = dep.get(v, NONE) | c
            elif isinstance(s, ast.If):
                c = cls(s.test) | ctrl | X
                classify(s.body, c)
                classify(s.orelse, c)
                for v in assigned(s.body) | assigned(s.orelse):
                    dep[v] = dep.get(v, NONE) | c
            elif isinstance(s, (ast.Pass, ast.Expr)):
                pass
            else:
                raise NotSpecialisable(f"{type(s).__name__} in the update is not covered")

    classify(stmts, NONE)

    # --- hoist: invariant locals and subexpressions to the prelude, g-only ones to the memo,
    # (t_tables) t-only ones to per-block tables.  Nothing under a branch moves: a compiled
    # division by zero raises, so an expression is only evaluated where the rule evaluates it.
    prelude: list[str] = [f"_h_{f} = h.{f}" for f in hyper]
    memo: list[tuple[str, str]] = []
    # (array, local or None, expression): round _t's value is array[_k]; a t-only local is
    # computed in order in the table loop (later expressions read it there by name)
    tables: list[tuple[str, str | None, str]] = []
    seen: dict[str, str] = {}

    def has_op(e):
        return any(isinstance(n, (ast.BinOp, ast.Call, ast.UnaryOp, ast.Compare, ast.IfExp))
                   for n in ast.walk(e))

    def hoisted(c, n) -> bool:  # only operations move (a name or a function stays where it is)
        return has_op(n) and (c == NONE or c == G or (c == T and t_tables))

    def place(c, text) -> str:
        if text not in seen:
            name = f"_{'c' if c == NONE else 'm' if c == G else 'p'}{len(seen)}"
            seen[text] = name
            if c == NONE:
                prelude.append(f"{name} = {text}")
            elif c == G:
                memo.append((name, text))
            else:
                tables.append((name, None, text))
        return seen[text]

    class Hoist(ast.NodeTransformer):
        def generic_visit(self, n):
            if isinstance(n, ast.expr) and not isinstance(n, (ast.Constant, ast.Name)):
                c = cls(n)
                if hoisted(c, n):
                    name = place(c, ast.unparse(n))
                    ref = name if c in (NONE, G) else f"{name}[_k]"
                    return ast.copy_location(ast.parse(ref, mode="eval").body, n)
            if isinstance(n, ast.IfExp):  # only the test is evaluated for sure
                n.test = self.visit(n.test)
                return n
            if isinstance(n, ast.Call):  # the arguments, not the function
                n.args = [self.visit(a) for a in n.args]
                return n
            return super().generic_visit(n)

    out: list[ast.stmt] = []
    for s in stmts:
        if isinstance(s, ast.If):  # a branch: its test may be hoisted, its statements stay
            s.test = Hoist().visit(s.test)
            out.append(s)
            continue
        tgt = s.targets[0] if isinstance(s, ast.Assign) else None
        c = dep.get(tgt.id) if isinstance(tgt, ast.Name) and tgt.id.startswith("_u_") else None
        if c == T and t_tables:
            v = tgt.id
            tables.append((f"_T{v}", v, ast.unparse(s.value)))
            out.append(ast.parse(f"{v} = _T{v}[_k]").body[0])
            continue
        if c == NONE or c == G:
            v = tgt.id
            rhs = s.value if isinstance(s.value, (ast.Constant, ast.Name)) else Hoist().visit(s.value)
            text = ast.unparse(rhs)
            (prelude.append(f"{v} = {text}") if c == NONE else memo.append((v, text)))
            continue
        out.append(Hoist().visit(s))

    # --- (memo_sqrt) a root whose argument did not change since the last round is not retaken
    roots: list[str] = []
    if memo_sqrt:
        math_names = {k for k, v in inl.ns.items() if v is math}
        final: list[ast.stmt] = []
        for s in out:
            pre: list[ast.stmt] = []
            if not isinstance(s, ast.If):
                class Root(ast.NodeTransformer):
                    def visit_IfExp(self, n):
                        n.test = self.visit(n.test)
                        return n

                    def visit_Call(self, n):
                        self.generic_visit(n)
                        f = n.func
                        if (isinstance(f, ast.Attribute) and f.attr == "sqrt" and len(n.args) == 1
                                and isinstance(f.value, ast.Name) and f.value.id in math_names
                                and cls(n.args[0]) & (S | G | X) and not cls(n.args[0]) & T):
                            # keyed on the names the argument reads that change (the rest is
                            # invariant): equal nonzero floats give the argument's same bits
                            keys = sorted({m.id for m in ast.walk(n.args[0]) if isinstance(m, ast.Name)
                                           and cls(m) != NONE})
                            k = len(roots)
                            roots.append((f"_r{k}", [f"_qa{k}_{j}" for j in range(len(keys))]))
                            test = " or ".join(f"{v} != _qa{k}_{j} or {v} == 0.0"
                                               for j, v in enumerate(keys))
                            pre.extend(ast.parse(
                                f"if {test}:\n"
                                + "".join(f"    _qa{k}_{j} = {v}\n" for j, v in enumerate(keys))
                                + f"    _r{k} = {ast.unparse(n)}").body)
                            return ast.copy_location(ast.Name(f"_r{k}", ast.Load()), n)
                        return n

                s = Root().visit(s)
            final.extend(pre)
            final.append(s)
        out = final
    for s in out:
        ast.fix_missing_locations(s)
    body_text = [ast.unparse(s) for s in out]
    return Specialised(hyper, fields, prelude, memo, body_text, dict(inl.ns), tables, roots)
