"""A kernel proof's named solver node and its direct dependencies, for the tests that drop a dependency from a
kernel call and check that the proof then fails (shared by the kernel test files)."""
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
