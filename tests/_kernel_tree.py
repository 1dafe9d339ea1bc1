"""A kernel proof's named solver node and its direct dependencies, for the tests that drop a dependency from a
kernel call and check that the proof then fails, and step proofs that record what a builder asks for (shared by the
kernel test files)."""
import kdrag as kd

from proofs import kernel as K


def solver_node(pf, name):
    """The kernel's solver node named ``name`` in ``pf``'s tree, and its direct dependencies."""
    seen, stack = set(), [pf]
    while stack:
        p = stack.pop()
        if id(p) in seen:
            continue
        seen.add(id(p))
        deps = [r for r in p.reason if isinstance(r, kd.Proof)] + [x for r in p.reason if isinstance(r, (list, tuple))
                                                                   for x in r if isinstance(x, kd.Proof)]
        if K._LEDGER[id(p)][1:] == ("solver", name):
            return p, deps
        stack.extend(deps)
    raise AssertionError(name)


def audit_verdict(theorem_id, obligations, change=None):
    """The audit's kernel verdict of ``theorem_id`` when every one of its ``obligations`` is proved, or with one
    step's verdict replaced (``change`` = (label, verdict)): what statements.kernel_statement makes of it."""
    from proofs import statements as ST

    st = [{"label": ob.label, "verdict": "proved"} for ob in obligations]
    if change:
        st = [dict(s, verdict=change[1]) if s["label"] == change[0] else s for s in st]
    return ST.kernel_statement({"id": theorem_id, "steps": st}, {theorem_id: {ob.label: ob for ob in obligations}})


def assert_each_dependency_needed(node, deps, name, countermodels, timeout_s, valid_links=None):
    """The kernel proves ``node.thm`` from all of ``deps``; with any one dropped it cannot: by a countermodel of
    the rest and not ``thm`` written in the test (``countermodels[name, k]``, re-checked in SymPy by
    :func:`_countermodel.assert_countermodel`), or else by the kernel's refusal within ``timeout_s``.  With
    ``valid_links`` (the (name, k) whose dependency rests on no definition, induction or trusted axiom, so no
    countermodel can exist), each dependency's certificate is checked to be of the kind the set says, and a valid
    link's drop is not asked of the kernel: the link is true in every interpretation, so the rest implies ``thm``
    and a refusal would only say that the solver did not find the step within ``timeout_s`` -- a measure of its
    speed, not of need (it waited the whole limit, 5-25 s, and a quicker solver would fail it)."""
    import pytest

    from _countermodel import assert_countermodel

    K.prove(node.thm, by=deps, name="all dependencies", timeout_s=20)
    for k, d in enumerate(deps):
        rest = [x for x in deps if x is not d]
        if valid_links is not None:
            cert = K.certify(d)
            rests_on_definitions = bool(cert["definitions"] or cert["induction"] or cert["trusted"])
            assert rests_on_definitions == ((name, k) not in valid_links), (name, k, cert["definitions"])
        if valid_links is not None and (name, k) in valid_links:
            continue
        if (name, k) in countermodels:
            assert_countermodel([x.thm for x in rest], node.thm, countermodels[name, k])
        else:
            with pytest.raises(K.KernelError):
                K.prove(node.thm, by=rest, name="one dependency dropped", timeout_s=timeout_s)


class Asked(dict):
    """Step proofs that record every label a builder asks for (proofs.statements.need_step reads ``get``)."""

    def __init__(self, *a):
        super().__init__(*a)
        self.asked = []

    def get(self, label, default=None):
        self.asked.append(label)
        return super().get(label, default)
