"""Fully connected networks with the knobs the F-Principle papers turn: depth, width, activation,
initialisation scale and bias."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
    "softplus": nn.Softplus,
    "gelu": nn.GELU,
}


# How the weights and biases are drawn: PyTorch's default; N(0, (init_std / sqrt(fan_in))^2),
# scaled to each layer's fan-in; or N(0, init_std^2) on every layer alike, as in the authors' code
# (Xu et al.: every weight and bias of every layer from one normal, e.g. std 200^-1/2 for the
# 200-200-200-100 net of XZLXM19's equal-amplitude experiment (lecture notes fig. 1.6), std 0.05 for the parity net).
INITS = ("pytorch", "fan_in", "normal")


class MLP(nn.Module):
    """Hidden layers of the given `widths`, then a linear read-out.

    `init` (one of ``INITS``) and `init_std` set the initialisation: ``fan_in`` with s draws from
    N(0, (s / sqrt(fan_in))^2), so a larger s gives the large-initialisation regime of X18 (more
    high-frequency energy); ``normal`` with σ draws every weight and bias from N(0, σ²), the
    authors' scheme. `init_std` None keeps PyTorch's default whatever `init` says.
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        widths: list[int],
        activation: str = "tanh",
        init_std: float | None = 1.0,
        bias: bool = True,
        init: str = "fan_in",
    ):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; allowed: {sorted(ACTIVATIONS)}")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; allowed: {list(INITS)}")
        dims = [in_dim, *widths]
        layers: list[nn.Module] = []
        for fan_in, fan_out in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(fan_in, fan_out, bias=bias), ACTIVATIONS[activation]()]
        layers.append(nn.Linear(dims[-1], out_dim, bias=bias))
        self.net = nn.Sequential(*layers)
        if init_std is not None and init != "pytorch":
            for layer in self.net:
                if isinstance(layer, nn.Linear):
                    std = init_std / layer.in_features**0.5 if init == "fan_in" else init_std
                    nn.init.normal_(layer.weight, std=std)
                    if layer.bias is not None:
                        nn.init.normal_(layer.bias, std=std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


BIAS_INITS = ("zeros", "normal")


def authors_relu_net(in_dim: int, hidden: list[int], bias_init: str = "zeros") -> nn.Sequential:
    """The BJKK19 networks: ReLU layers with Kaiming-normal weights (a = √5, std 1/√(3 fan_in))
    and trained biases, then a linear read-out without bias, Kaiming-normal (a = √5) as well.

    `bias_init` is the authors' `hidden_bias` option: "zeros" (their runs) or "normal",
    N(0, 1/(3 fan_in)), the same scale as the weights.
    """
    if bias_init not in BIAS_INITS:
        raise ValueError(f"unknown bias init {bias_init!r}; allowed: {list(BIAS_INITS)}")
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip([in_dim, *hidden[:-1]], hidden):
        linear = nn.Linear(fan_in, fan_out)
        nn.init.kaiming_normal_(linear.weight, a=math.sqrt(5))
        if bias_init == "zeros":
            nn.init.zeros_(linear.bias)
        else:
            nn.init.normal_(linear.bias, std=1 / math.sqrt(3 * fan_in))
        layers += [linear, nn.ReLU()]
    readout = nn.Linear(hidden[-1], 1, bias=False)
    nn.init.kaiming_normal_(readout.weight, a=math.sqrt(5))
    return nn.Sequential(*layers, readout)


def evaluate(model: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """The network's scalar output on `inputs`, as float64 numpy."""
    with torch.no_grad():
        return model(inputs)[:, 0].cpu().numpy().astype(np.float64)
