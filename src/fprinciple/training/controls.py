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
import weakref

import torch
from torch import nn

from ..learners import FROZEN, MEAN


class Control(nn.Module):
    """A learner that is not trained; ``at(step)`` returns the learner as it is at that step."""

    def at(self, step: int) -> nn.Module:
        return self


class Frozen(Control):
    """The network as initialised, never updated. Its output on an input tensor is computed once
    and reused at every logged step.

    The cache is keyed by the input's base tensor (the dataset a slice or view comes from, or
    the input itself) and the view's offset, shape and stride, and holds the base only weakly:
    the slices an evaluation cuts from the same data every epoch hit the cache, while a fresh
    minibatch's entry vanishes with it, so memory stays bounded and a dead tensor's address is
    never mistaken for a live one. An input that requires grad (an objective that differentiates
    the output by its input, e.g. a PDE residual) gets a fresh output with its graph."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = copy.deepcopy(model).requires_grad_(False)
        self._cache: dict[int, tuple[weakref.ref, dict]] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.requires_grad:
            return self.model(x)
        base = x if x._base is None else x._base
        ref, outputs = self._cache.get(id(base), (None, None))
        if ref is None or ref() is not base:  # never seen, or an old base's id reused
            ref, outputs = weakref.ref(base, lambda _, key=id(base): self._cache.pop(key, None)), {}
            self._cache[id(base)] = (ref, outputs)
        key = (x.storage_offset(), tuple(x.shape), tuple(x.stride()), x.dtype, self.model.training)
        if key not in outputs:
            with torch.no_grad():
                outputs[key] = self.model(x)
        return outputs[key]

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
