"""Negative controls: learners on which every claim must fail.

A claim that also holds for a network that learned nothing is not evidence. Every training run
therefore logs, next to the trained network, its controls through the very same hooks (same
spectral code, same metrics): the claims are then computed on each of them too, and a claim
passes only if it holds for the trained network and fails on every control.

- ``frozen``: the initial network, never updated;
- ``mean``: a constant predictor, the training targets' mean (for a classifier trained with
  cross-entropy, the class prior as logits, so its softmax is the prior);
- experiment-specific controls (e.g. a learner that fits high frequencies first) subclass
  ``Control`` and may change with the step through ``at``.

The metrics of a control carry its name in the ``learner`` column; the trained network's rows
carry ``TRAINED`` (names in ``fprinciple.learners``).
"""

from __future__ import annotations

import copy
from collections import OrderedDict

import torch
from torch import nn

from ..learners import FROZEN, MEAN


class Control(nn.Module):
    """A learner that is not trained; ``at(step)`` returns the learner as it is at that step."""

    def at(self, step: int) -> nn.Module:
        return self


class Frozen(Control):
    """The network as initialised, never updated. Its output on an input tensor is computed once
    and reused at every logged step (the input is kept alive with it, so its memory address cannot
    be taken by another tensor while cached)."""

    def __init__(self, model: nn.Module, cache_size: int = 16):
        super().__init__()
        self.model = copy.deepcopy(model).requires_grad_(False)
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = cache_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        key = (x.data_ptr(), tuple(x.shape), tuple(x.stride()), x.dtype, x.device, self.model.training)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key][1]
        with torch.no_grad():
            out = self.model(x)
        self._cache[key] = (x, out)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return out

    def train(self, mode: bool = True):
        # The wrapped net keeps its own mode switches (classify.predict uses eval mode).
        self.model.train(mode)
        return super().train(mode)


class Constant(Control):
    """Outputs the same vector for every input."""

    def __init__(self, value: torch.Tensor):
        super().__init__()
        self.register_buffer("value", value.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.value.expand(len(x), *self.value.shape)


def mean_predictor(y: torch.Tensor, loss: str) -> Constant:
    """The best constant for the training targets ``y``: their mean, or for cross-entropy (``y``
    class indices) the log class prior, whose softmax is the prior and argmax the majority class."""
    if loss == "cross_entropy":
        counts = torch.bincount(y.long(), minlength=int(y.max()) + 1).double()
        prior = (counts / counts.sum()).clamp_min(1e-12)
        return Constant(prior.log().to(torch.float32).to(y.device))
    return Constant(y.to(torch.float32).mean(dim=0))


def standard(model: nn.Module, y: torch.Tensor, loss: str) -> dict[str, Control]:
    """The controls every run logs: the frozen initial network and the mean predictor."""
    return {FROZEN: Frozen(model), MEAN: mean_predictor(y, loss)}
