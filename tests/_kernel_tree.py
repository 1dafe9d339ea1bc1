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
