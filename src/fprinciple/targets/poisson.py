"""The 1-D Poisson problem of fp_poisson (XZLXM19): −u'' = g on [−1, 1], u(±1) = 0.

The exact solution is a sine series ``u = Σ_k a_k sin(kπx)`` with integer k, so it satisfies the
boundary conditions exactly (the paper's sin x + sin 4x/4 − sin 8x/8 + sin 24x/36 does not: it
is ≈ ±0.5 at x = ±1), and ``g = −u'' = Σ_k a_k (kπ)² sin(kπx)``. Each sin(kπx) is also an exact
eigenvector of the finite-difference Laplacian on the grid below, which makes the discrete
solution and Jacobi's per-mode behaviour known in closed form (``theory.jacobi``).

The grid has N interior points ``x_i = −1 + i h``, i = 1..N, spacing ``h = 2 / (N + 1)``; the
boundary values are not unknowns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

LOW, HIGH = -1.0, 1.0


@dataclass(frozen=True)
class SineSeriesPoisson:
    """−u'' = g with exact solution Σ a_k sin(kπx); wavenumbers k are positive integers."""

    wavenumbers: tuple[int, ...]
    amplitudes: tuple[float, ...]

    def __post_init__(self):
        if len(self.wavenumbers) != len(self.amplitudes):
            raise ValueError("wavenumbers and amplitudes must have the same length")
        if any(int(k) != k or k < 1 for k in self.wavenumbers):
            raise ValueError(f"wavenumbers must be positive integers (sin(kπx) vanishes at ±1), got {self.wavenumbers}")

    def solution(self, x: np.ndarray) -> np.ndarray:
        return sum(a * np.sin(k * np.pi * x) for k, a in zip(self.wavenumbers, self.amplitudes))

    def forcing(self, x: np.ndarray) -> np.ndarray:
        """g = −u''."""
        return sum(a * (k * np.pi) ** 2 * np.sin(k * np.pi * x) for k, a in zip(self.wavenumbers, self.amplitudes))


def make_problem(spec: dict) -> SineSeriesPoisson:
    """From a config block {wavenumbers: [...], amplitudes: [...]}."""
    return SineSeriesPoisson(tuple(int(k) for k in spec["wavenumbers"]), tuple(float(a) for a in spec["amplitudes"]))


def interior_grid(n_interior: int) -> tuple[np.ndarray, float]:
    """The N interior points of the uniform grid on [−1, 1] and its spacing h = 2 / (N + 1)."""
    if n_interior < 1:
        raise ValueError(f"n_interior must be >= 1, got {n_interior}")
    h = (HIGH - LOW) / (n_interior + 1)
    return LOW + h * np.arange(1, n_interior + 1), h


def closed_grid(n_interior: int) -> np.ndarray:
    """The interior grid with its two boundary points −1 and 1: N + 2 points, spacing h."""
    x, _ = interior_grid(n_interior)
    return np.concatenate([[LOW], x, [HIGH]])


def _derivative(values: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """d values / dx by autograd, row by row (each output depends on its own input only); zero
    for an output that does not depend on x (a constant, e.g. the mean control)."""
    if not values.requires_grad:
        return torch.zeros_like(x)
    (grad,) = torch.autograd.grad(values.sum(), x, create_graph=True, allow_unused=True)
    return torch.zeros_like(x) if grad is None else grad


def _boundary_penalty(model: nn.Module, like: torch.Tensor) -> torch.Tensor:
    """½ (u(−1)² + u(1)²)."""
    ends = torch.tensor([[LOW], [HIGH]], dtype=like.dtype, device=like.device)
    return torch.mean(model(ends) ** 2)


def residual_loss(model: nn.Module, x: torch.Tensor, g: torch.Tensor, boundary_weight: float = 1.0) -> torch.Tensor:
    """The strong-form loss: mean squared PDE residual on collocation points plus a boundary penalty,

        L(θ) = mean_i (−u_θ''(x_i) − g(x_i))² + β · ½ (u_θ(−1)² + u_θ(1)²),

    with u_θ'' from autograd (so the net needs a twice-differentiable activation: tanh, not ReLU,
    whose second derivative is 0 almost everywhere). ``x`` is (n, 1), ``g`` (n,) or (n, 1), in the
    model's dtype; β = ``boundary_weight``. The boundary term is a penalty, not a hard constraint,
    so u_θ(±1) is only approximately 0. Differentiable also when called under ``no_grad``.
    """
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        d2u = _derivative(_derivative(model(x), x), x)
        pde = torch.mean((-d2u.reshape(-1) - g.reshape(-1)) ** 2)
        return pde + boundary_weight * _boundary_penalty(model, x)


def trapezoid_weights(x: torch.Tensor) -> torch.Tensor:
    """Trapezoidal-rule weights of the sorted points ``x`` (n, 1): ∫ f ≈ Σ_i w_i f(x_i) over [x_0, x_{n−1}]."""
    points = x.reshape(-1)
    gaps = points[1:] - points[:-1]
    weights = torch.zeros_like(points)
    weights[:-1] += gaps / 2
    weights[1:] += gaps / 2
    return weights


def ritz_loss(model: nn.Module, x: torch.Tensor, g: torch.Tensor, boundary_weight: float = 1.0) -> torch.Tensor:
    """The Ritz (energy) loss of the deep Ritz method, with the same boundary penalty,

        I(θ) = ∫_{−1}^{1} (½ u_θ'(x)² − g(x) u_θ(x)) dx + β · ½ (u_θ(−1)² + u_θ(1)²),

    by the trapezoidal rule on the sorted points ``x`` (n, 1) spanning [−1, 1] (``closed_grid``),
    ``g`` on them. Its minimiser over H¹₀ solves −u'' = g; its gradient in function space is the
    residual −u'' − g itself, so the error's mode k is weighted by (kπ)² where the strong form
    (``residual_loss``) weights it by (kπ)⁴. Only u' is needed: any differentiable activation.
    On a uniform grid the rule is exact for the trigonometric polynomials of a sine series.
    """
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        u = model(x)
        du = _derivative(u, x)
        energy = 0.5 * du.reshape(-1) ** 2 - g.reshape(-1) * u.reshape(-1)
        return torch.sum(trapezoid_weights(x) * energy) + boundary_weight * _boundary_penalty(model, x)


LOSSES = {"ritz": ritz_loss, "residual": residual_loss}
