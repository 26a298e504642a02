"""Analytic checks of the Poisson problem, the FD system, Jacobi's per-mode contraction and the
sine transform; and of the DNN residual loss on functions with known second derivatives."""

import numpy as np
import pytest
import torch
from torch import nn

from fprinciple.targets.poisson import (
    SineSeriesPoisson,
    closed_grid,
    interior_grid,
    make_problem,
    residual_loss,
    ritz_loss,
    trapezoid_weights,
)
from fprinciple.theory.jacobi import (
    contraction_factors,
    jacobi,
    jacobi_sweep,
    laplacian_eigenvalues,
    mode_wavenumbers,
    sine_coefficients,
    solve_fd,
    sweeps_to_tolerance,
)
from fprinciple.training.controls import Constant, Frozen

N = 63  # h = 1/32


def mode(j, n=N):
    return np.sin(j * np.pi * np.arange(1, n + 1) / (n + 1))


# --- problem ----------------------------------------------------------------------------------


def test_problem_satisfies_boundary_and_equation():
    problem = make_problem({"wavenumbers": [1, 4, 8], "amplitudes": [1.0, 0.25, -0.125]})
    np.testing.assert_allclose(problem.solution(np.array([-1.0, 1.0])), 0.0, atol=1e-14)
    x = np.linspace(-1, 1, 2001)
    u, dx = problem.solution(x), x[1] - x[0]
    second = (u[2:] - 2 * u[1:-1] + u[:-2]) / dx**2  # −u'' by finite differences on a fine grid
    np.testing.assert_allclose(-second, problem.forcing(x[1:-1]), atol=2e-3 * np.abs(problem.forcing(x)).max())


def test_problem_rejects_non_integer_wavenumbers():
    with pytest.raises(ValueError, match="integers"):
        SineSeriesPoisson((1, 2.5), (1.0, 1.0))


def test_interior_grid():
    x, h = interior_grid(3)
    np.testing.assert_allclose(x, [-0.5, 0.0, 0.5])
    assert h == 0.5


# --- sine transform ---------------------------------------------------------------------------


def test_sine_transform_maps_sin_k_pi_x_to_wavenumber_k():
    x, _ = interior_grid(N)
    kappa = mode_wavenumbers(N)
    for k in (1, 3, 8, 20):
        c = sine_coefficients(np.sin(k * np.pi * x))
        peak = np.argmax(np.abs(c))
        assert kappa[peak] == k
        np.testing.assert_allclose(c[peak], (-1) ** k, atol=1e-12)
        np.testing.assert_allclose(np.delete(c, peak), 0.0, atol=1e-12)


def test_sine_transform_inverts_a_random_combination():
    rng = np.random.default_rng(0)
    coefficients = rng.standard_normal(N)
    values = sum(c * mode(j + 1) for j, c in enumerate(coefficients))
    np.testing.assert_allclose(sine_coefficients(values), coefficients, atol=1e-12)
    np.testing.assert_allclose(
        sine_coefficients(np.stack([values, 2 * values])), [coefficients, 2 * coefficients], atol=1e-12
    )


def test_odd_modes_are_cos_like():
    # The j = 1 mode on [−1, 1] is cos(πx/2): half-integer wavenumber 1/2.
    x, _ = interior_grid(N)
    c = sine_coefficients(np.cos(np.pi * x / 2))
    assert mode_wavenumbers(N)[np.argmax(np.abs(c))] == 0.5


# --- FD system --------------------------------------------------------------------------------


def test_modes_are_eigenvectors_of_the_fd_matrix():
    x, h = interior_grid(N)
    lam = laplacian_eigenvalues(N, h)
    for j in (1, 10, 40, N):
        phi = mode(j)
        a_phi = (2 * phi - np.r_[0, phi[:-1]] - np.r_[phi[1:], 0]) / h**2
        np.testing.assert_allclose(a_phi, lam[j - 1] * phi, atol=1e-9 * lam[j - 1])
        np.testing.assert_allclose(solve_fd(lam[j - 1] * phi, h), phi, atol=1e-10)


def test_fd_solution_per_mode_is_exact():
    # g's sin(kπx) modes are eigenvectors: u_h has coefficient a_k (kπ)² / λ_{2k} on each.
    problem = SineSeriesPoisson((1, 4, 8), (1.0, 0.25, -0.125))
    x, h = interior_grid(N)
    u_h = solve_fd(problem.forcing(x), h)
    lam = laplacian_eigenvalues(N, h)
    expected = sum(
        a * (k * np.pi) ** 2 / lam[2 * k - 1] * np.sin(k * np.pi * x)
        for k, a in zip(problem.wavenumbers, problem.amplitudes)
    )
    np.testing.assert_allclose(u_h, expected, atol=1e-12)


def test_fd_solution_converges_at_second_order():
    problem = SineSeriesPoisson((1, 3, 5), (1.0, 0.5, 0.25))
    errors = []
    for n in (31, 63, 127, 255):
        x, h = interior_grid(n)
        errors.append(np.abs(solve_fd(problem.forcing(x), h) - problem.solution(x)).max())
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))  # h halves each time (n + 1 doubles)
    np.testing.assert_allclose(orders, 2.0, atol=0.05)


# --- Jacobi -----------------------------------------------------------------------------------


@pytest.mark.parametrize("omega", [1.0, 2 / 3])
@pytest.mark.parametrize("j", [1, 5, 32, 50, N])
def test_single_mode_error_contracts_by_the_analytic_factor(omega, j):
    x, h = interior_grid(N)
    g = SineSeriesPoisson((2,), (1.0,)).forcing(x)
    u_h = solve_fd(g, h)
    rho = contraction_factors(N, omega)[j - 1]
    sweeps = 7
    _, iterates = jacobi(u_h + mode(j), g, h, sweeps, omega)
    for t in range(sweeps + 1):
        np.testing.assert_allclose(iterates[t] - u_h, rho**t * mode(j), atol=1e-11)


def test_plain_jacobi_factor_is_cos_kappa_pi_h():
    _, h = interior_grid(N)
    np.testing.assert_allclose(contraction_factors(N), np.cos(mode_wavenumbers(N) * np.pi * h), atol=1e-14)


def test_plain_jacobi_damps_higher_modes_faster_in_the_lower_half():
    x, h = interior_grid(N)
    rho = np.abs(contraction_factors(N))
    lower = rho[: (N + 1) // 2]
    assert np.all(np.diff(lower) < 0)
    # ... but not across the whole spectrum: |ρ_j| = |ρ_{N+1−j}|, the top mode is as slow as j = 1.
    np.testing.assert_allclose(rho, rho[::-1], atol=1e-14)
    # Measured on an error made of modes 2, 8, 24 (wavenumbers 1, 4, 12): higher ones fall faster.
    g = np.zeros(N)
    error0 = mode(2) + mode(8) + mode(24)
    _, iterates = jacobi(error0, g, h, 200)
    remaining = np.abs(sine_coefficients(iterates[-1]))[[1, 7, 23]]
    assert remaining[0] > remaining[1] > remaining[2]


def test_damped_jacobi_smooths_the_whole_upper_half():
    rho = np.abs(contraction_factors(N, omega=2 / 3))
    half = (N + 1) // 2  # mode j = half has θ = π/2, ρ = 1/3
    upper, lower = rho[half - 1 :], rho[: half - 1]
    assert upper.max() <= 1 / 3 + 1e-12
    assert lower.min() > 1 / 3  # every upper-half mode decays faster than every lower-half one


def test_jacobi_converges_to_fd_solution_and_counts_sweeps():
    problem = SineSeriesPoisson((1, 4), (1.0, 0.25))
    x, h = interior_grid(31)
    g = problem.forcing(x)
    u_h = solve_fd(g, h)
    n_sweeps = sweeps_to_tolerance(np.zeros(31), g, h, u_h, 1e-3, 20_000)
    # The error is dominated by mode j = 2 (κ = 1): ρ_2^n · (initial share) < 1e-3.
    rho2 = contraction_factors(31)[1]
    share = abs(sine_coefficients(u_h)[1]) / np.linalg.norm(sine_coefficients(u_h))
    predicted = np.log(1e-3 / share) / np.log(rho2)
    assert abs(n_sweeps - predicted) <= 2
    assert sweeps_to_tolerance(u_h, g, h, u_h, 1e-3, 10) == 0
    assert sweeps_to_tolerance(np.zeros(31), g, h, u_h, 1e-3, 10) is None
    logged, iterates = jacobi(np.zeros(31), g, h, 25, log_every=10)
    np.testing.assert_array_equal(logged, [0, 10, 20, 25])
    np.testing.assert_allclose(iterates[-1], jacobi(np.zeros(31), g, h, 25)[1][-1])
    u = np.zeros(31)
    for _ in range(10):
        u = jacobi_sweep(u, g, h)
    np.testing.assert_array_equal(iterates[1], u)


# --- DNN residual loss ------------------------------------------------------------------------


class Sine(nn.Module):
    """u(x) = a sin(kπx) + c: known u'' and boundary values."""

    def __init__(self, a, k, c=0.0):
        super().__init__()
        self.a, self.k, self.c = a, k, c

    def forward(self, x):
        return self.a * torch.sin(self.k * torch.pi * x) + self.c


def test_residual_loss_is_zero_for_the_exact_solution_and_known_otherwise():
    problem = SineSeriesPoisson((3,), (0.5,))
    x, _ = interior_grid(50)
    xt = torch.tensor(x, dtype=torch.float64)[:, None]
    g = torch.tensor(problem.forcing(x))
    assert residual_loss(Sine(0.5, 3), xt, g).item() == pytest.approx(0.0, abs=1e-20)
    # Wrong amplitude: residual (0.7 − 0.5)(3π)² sin(3πx); a constant offset c adds β c² only.
    loss = residual_loss(Sine(0.7, 3, c=0.1), xt, g, boundary_weight=2.0).item()
    expected = np.mean((0.2 * (3 * np.pi) ** 2 * np.sin(3 * np.pi * x)) ** 2) + 2.0 * 0.1**2
    assert loss == pytest.approx(expected, rel=1e-10)


def test_residual_loss_has_gradients_for_a_net():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    x = torch.linspace(-1, 1, 17, dtype=torch.float64)[:, None]
    loss = residual_loss(net, x, torch.ones(17, dtype=torch.float64))
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())


def test_ritz_loss_is_the_energy_of_a_sine_and_is_minimal_at_the_solution():
    # u = a sin(kπx) + c, g = b (kπ)² sin(kπx): I = (kπ)² (a²/2 − a b) + β c², exact on the grid.
    k, b, beta = 3, 0.5, 2.0
    x = torch.tensor(closed_grid(63), dtype=torch.float64)[:, None]
    g = torch.tensor(SineSeriesPoisson((k,), (b,)).forcing(closed_grid(63)))
    for a, c in [(0.5, 0.0), (0.7, 0.1), (-0.2, -0.3)]:
        expected = (k * np.pi) ** 2 * (a**2 / 2 - a * b) + beta * c**2
        assert ritz_loss(Sine(a, k, c), x, g, beta).item() == pytest.approx(expected, rel=1e-12)
    energies = [ritz_loss(Sine(a, k), x, g, beta).item() for a in (0.3, 0.5, 0.7)]
    assert energies[1] < min(energies[0], energies[2])  # the exact amplitude minimises it


def test_trapezoid_weights():
    x = torch.tensor([[-1.0], [0.0], [0.5], [1.0]], dtype=torch.float64)
    np.testing.assert_allclose(trapezoid_weights(x).numpy(), [0.5, 0.75, 0.5, 0.25])
    assert trapezoid_weights(torch.tensor(closed_grid(7))[:, None]).sum().item() == pytest.approx(2.0)


@pytest.mark.parametrize("loss", [ritz_loss, residual_loss])
def test_losses_score_the_controls_under_no_grad(loss):
    """The trainer scores its controls with the same objective: a frozen net (differentiated by its
    input through Frozen) and a constant, whose derivatives are zero, also under no_grad."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    x = torch.tensor(closed_grid(15), dtype=torch.float64)[:, None]
    g = torch.tensor(SineSeriesPoisson((1,), (1.0,)).forcing(closed_grid(15)))
    reference = loss(net, x, g, 3.0).item()
    with torch.no_grad():
        assert loss(Frozen(net), x, g, 3.0).item() == pytest.approx(reference, rel=1e-12)
        constant = loss(Constant(torch.tensor([0.25], dtype=torch.float64)), x, g, 3.0).item()
    if loss is ritz_loss:  # u' = 0: −∫ g c = 0 for this odd g, plus the penalty β c²
        assert constant == pytest.approx(3.0 * 0.25**2, abs=1e-12)
    else:  # u'' = 0: the residual is g itself
        assert constant == pytest.approx(torch.mean(g**2).item() + 3.0 * 0.25**2, rel=1e-12)
