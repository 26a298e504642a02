"""Fully connected networks with the knobs the F-Principle papers turn: depth, width, activation,
initialisation scale and bias."""

from __future__ import annotations

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


class MLP(nn.Module):
    """`depth` hidden layers of `width` units (or a list of widths), then a linear read-out.

    `init_std` scales the weights: None keeps PyTorch's default; a number s draws every weight
    from N(0, (s / sqrt(fan_in))^2), so s = 1 is the authors' "std = width^-1/2" and larger s
    gives the large-initialisation regime of X18 (more high-frequency energy).
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        widths: list[int],
        activation: str = "tanh",
        init_std: float | None = 1.0,
        bias: bool = True,
    ):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; allowed: {sorted(ACTIVATIONS)}")
        dims = [in_dim, *widths]
        layers: list[nn.Module] = []
        for fan_in, fan_out in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(fan_in, fan_out, bias=bias), ACTIVATIONS[activation]()]
        layers.append(nn.Linear(dims[-1], out_dim, bias=bias))
        self.net = nn.Sequential(*layers)
        if init_std is not None:
            for layer in self.net:
                if isinstance(layer, nn.Linear):
                    nn.init.normal_(layer.weight, std=init_std / layer.in_features**0.5)
                    if layer.bias is not None:
                        nn.init.normal_(layer.bias, std=init_std / layer.in_features**0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
