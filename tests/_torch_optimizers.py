"""torch.optim.Optimizer subclasses written as a user writes them, for tests/test_check_api.py.  They live apart
from that file because a class statement imports its base class: here torch is imported when a test asks for
them (tests/_torch.py: ``user_optimizers``), not when pytest collects the test file."""
import math

import torch


class AMSGrad78807(torch.optim.Optimizer):
    """AMSGrad with the bug of pytorch #78807: the running max is computed, never stored (the result of
    torch.maximum was assigned to a local name), so every step uses max(0, v) = v: it is Adam."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                st = self.state[p]
                if not st:
                    st.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p), v_max=torch.zeros_like(p))
                st["t"] += 1
                st["m"].mul_(b1).add_(p.grad, alpha=1 - b1)
                st["v"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                v_max = torch.maximum(st["v_max"], st["v"])  # the bug: st["v_max"] stays 0
                denom = (v_max.sqrt() / math.sqrt(1 - b2 ** st["t"])).add_(group["eps"])
                p.addcdiv_(st["m"], denom, value=-group["lr"] / (1 - b1 ** st["t"]))


class SignedBetas(torch.optim.Optimizer):
    """An optimizer whose constructor spells beta1/beta2 and learning_rate (not torch's lr/betas)."""

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999):
        super().__init__(params, dict(learning_rate=learning_rate, beta1=beta1, beta2=beta2))
        self.seen = []

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            self.seen.append((group["learning_rate"], group["beta1"], group["beta2"]))
            for p in group["params"]:
                p.add_(p.grad, alpha=-group["learning_rate"])


class RecordingAdam(torch.optim.Adam):
    """torch's Adam that records, at each step, the foreach setting every param group carries."""

    seen: list = []

    def step(self, closure=None):
        RecordingAdam.seen.append(tuple(g["foreach"] for g in self.param_groups))
        return super().step(closure)
