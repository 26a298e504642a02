"""Many independent ReLU MLPs evaluated as one module (a batched ensemble).

Frequency sweeps train hundreds of small nets (k × seeds). Stacking their weights along a
leading member axis turns every layer into one batched matmul (torch.bmm), so a GPU trains a
whole sweep at once. Each member draws its parameters from its own generator: a member's
initialisation, and hence its training, does not depend on which other members share its batch.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class EnsembleMLP(nn.Module):
    """E ReLU MLPs with stacked weights: input (E, n, d) -> output (E, n), or (E, n, C) for a
    read-out of C outputs (readout (E, width, C), e.g. the logits of a classifier).

    Hidden layer i maps h -> ReLU(h W_i + b_i) (+ h for i > 0 when `residual`); the read-out is
    ``h a * readout_scale`` with ``a`` trained or fixed (a buffer).
    """

    def __init__(
        self,
        weights: list[torch.Tensor],
        biases: list[torch.Tensor] | None,
        readout: torch.Tensor,
        train_readout: bool,
        readout_scale: float = 1.0,
        residual: bool = False,
    ):
        super().__init__()
        if residual and len({w.shape[-1] for w in weights}) > 1:
            raise ValueError("a residual net needs hidden layers of equal width")
        self.weights = nn.ParameterList(weights)
        self.biases = nn.ParameterList(biases or [])
        if train_readout:
            self.readout = nn.Parameter(readout)
        else:
            self.register_buffer("readout", readout)
        self.readout_scale = readout_scale
        self.residual = residual

    @property
    def members(self) -> int:
        return self.readout.shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for i, w in enumerate(self.weights):
            pre = torch.baddbmm(self.biases[i][:, None, :], h, w) if len(self.biases) else torch.bmm(h, w)
            out = torch.relu(pre)
            h = out + h if self.residual and i > 0 else out
        if self.readout.dim() == 3:
            return torch.bmm(h, self.readout) * self.readout_scale
        return torch.bmm(h, self.readout[:, :, None])[..., 0] * self.readout_scale

    def subset(self, members: torch.Tensor) -> EnsembleMLP:
        """A new ensemble of the given members (index or boolean mask), e.g. without the
        converged ones; copies only their parameters."""
        with torch.no_grad():
            return EnsembleMLP(
                [w[members].clone() for w in self.weights],
                [b[members].clone() for b in self.biases] or None,
                self.readout[members].clone(),
                train_readout=isinstance(self.readout, nn.Parameter),
                readout_scale=self.readout_scale,
                residual=self.residual,
            )


def _stack(draw, generators) -> torch.Tensor:
    return torch.stack([draw(g) for g in generators])


def basri_shallow(
    generators: list[torch.Generator], in_dim: int, width: int, weight_std: float, bias: bool, symmetric: bool = False
) -> EnsembleMLP:
    """Basri et al.'s two-layer net f(x) = ReLU(xᵀW + b)·a/√m: W ~ N(0, σ²), a = ±1 fixed,
    b = 0 at init and trained when `bias` (authors' Shallow/*/optimize.m).

    `symmetric` pairs every unit (w, a) with a copy (w, −a): the same kernel, but the initial
    output is exactly zero, so the learning time measures the target alone rather than also
    the removal of the random initial function.
    """
    units = width // 2 if symmetric else width
    if symmetric and width % 2:
        raise ValueError(f"a symmetric init needs an even width, got {width}")
    weights = _stack(lambda g: torch.randn(in_dim, units, generator=g) * weight_std, generators)
    signs = _stack(lambda g: torch.where(torch.randn(units, generator=g) > 0, 1.0, -1.0), generators)
    if symmetric:
        weights, signs = torch.cat([weights, weights], dim=2), torch.cat([signs, -signs], dim=1)
    biases = [torch.zeros(len(generators), width)] if bias else None
    return EnsembleMLP([weights], biases, signs, train_readout=False, readout_scale=1.0 / math.sqrt(width))


def kaiming_mlp(
    generators: list[torch.Generator], in_dim: int, widths: list[int], residual: bool = False, outputs: int = 1
) -> EnsembleMLP:
    """Deep ReLU nets as in the authors' Deep/*/mainTrain.py: nn.Linear layers with biases,
    weights kaiming_normal_(a=√5) (std 1/√(3·fan_in)), PyTorch's default uniform biases, and a
    trained bias-free read-out with the same weight init (`models.mlp.authors_relu_net`, stacked):
    one output (regression), or `outputs` logits (Deep/crossRes10_1D: 2)."""
    dims = [in_dim, *widths]
    weights, biases = [], []
    for fan_in, fan_out in zip(dims[:-1], dims[1:]):
        std, bound = 1.0 / math.sqrt(3 * fan_in), 1.0 / math.sqrt(fan_in)
        weights.append(torch.stack([torch.randn(fan_in, fan_out, generator=g) * std for g in generators]))
        biases.append(torch.stack([(torch.rand(fan_out, generator=g) * 2 - 1) * bound for g in generators]))
    shape = (dims[-1],) if outputs == 1 else (dims[-1], outputs)
    readout = _stack(lambda g: torch.randn(shape, generator=g) / math.sqrt(3 * dims[-1]), generators)
    return EnsembleMLP(weights, biases, readout, train_readout=True, residual=residual)
