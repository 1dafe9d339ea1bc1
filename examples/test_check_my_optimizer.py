"""Copy this file into your repository's tests/ and run pytest: adam-beyond's plugin (installed with
``pip install adam-beyond``) puts your optimizer through the counterexamples of Reddi, Kale & Kumar,
"On the Convergence of Adam and Beyond" (ICLR 2018), in a few seconds per optimizer.

Replace ``MyAMSGrad`` with your optimizer: a ``torch.optim.Optimizer`` class (keyword arguments after it
go to the class), an optax factory (``optax.amsgrad``), or a step function
``fn(x, g, t, state, hyper) -> (x_hat, state)``.  On failure the message names the problem, the
hyper-parameters, x_T, R_T/T and the certified drift; ``pytest --counterexamples-report`` prints every
table.  The torch part needs torch (``pip install torch``).
"""
import math

import pytest

from pytest_adam_beyond import assert_breaks, assert_escapes

torch = pytest.importorskip("torch")


class MyAMSGrad(torch.optim.Optimizer):
    """AMSGrad written out (torch's rule: the max over the raw v, bias corrections after it)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state["t"] = 0
                    state["m"], state["v"], state["v_max"] = (torch.zeros_like(p) for _ in range(3))
                state["t"] += 1
                t, m, v, v_max = state["t"], state["m"], state["v"], state["v_max"]
                m.mul_(beta1).add_(p.grad, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                torch.maximum(v_max, v, out=v_max)  # in place: the running max must persist
                denom = (v_max.sqrt() / math.sqrt(1 - beta2 ** t)).add_(group["eps"])
                p.addcdiv_(m, denom, value=-group["lr"] / (1 - beta1 ** t))


def test_my_amsgrad_escapes():
    # the paper's fix must converge on every problem (decided by a certified drift where the rule is known)
    assert_escapes(MyAMSGrad)


def test_adam_breaks():
    # a sanity check of the harness itself: Adam is the paper's counterexample
    assert_breaks(torch.optim.Adam)


@pytest.mark.counterexamples(expect="escapes")
def test_amsgrad_with_the_fixture(check_optimizer):
    report = check_optimizer(torch.optim.Adam, amsgrad=True)
    assert report.certified  # every row decided by a certified drift, not by the simulation alone
