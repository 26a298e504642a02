"""The DNN's losses for the 1-D Poisson problem of fp_poisson (XZLXM19): −u'' = g on [−1, 1], u(±1) = 0,
the Ritz energy and the strong-form residual, each with a boundary penalty (torch: the run side).

The problem itself (its sine-series solution and the grids) is ``targets.poisson_problem``, torch-free
so that the analysis side can read it; its names are imported here for the run side.
"""

from __future__ import annotations

import torch
from torch import nn

from .poisson_problem import HIGH, LOW, SineSeriesPoisson, closed_grid, interior_grid, make_problem

__all__ = [
    "HIGH",
    "LOSSES",
    "LOW",
    "SineSeriesPoisson",
    "closed_grid",
    "interior_grid",
    "make_problem",
    "residual_loss",
    "ritz_loss",
    "trapezoid_weights",
]


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
