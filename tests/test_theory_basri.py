"""Basri et al. (2019) NTK theory checked against independent computations.

Gram-matrix spectra on the circle / S^2, Funk-Hecke quadrature, direct Taylor-series summation in
mpmath, the empirical NTK of a wide random torch net, and simulated linear GD dynamics.
"""

import mpmath as mp
import numpy as np
import pytest
import torch
from scipy.special import eval_gegenbauer, eval_legendre, gammaln
from threadpoolctl import threadpool_limits

from fprinciple.theory.basri import (
    PAPER_INPUT_SCALE,
    asymptotic_coefficients,
    circle_eigenvalues,
    growth_exponent,
    kernel_no_bias,
    kernel_with_bias,
    predicted_learning_time,
    sphere_eigenvalues,
)

BIASES = [False, True]


@pytest.fixture(autouse=True)
def single_thread():
    """Matrices here are small: one BLAS/torch thread is fastest and immune to a loaded machine."""
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield
    torch.set_num_threads(torch_threads)


def circle_grid(n):
    theta = 2 * np.pi * np.arange(n) / n
    return theta, np.stack([np.cos(theta), np.sin(theta)], axis=1)


def fibonacci_sphere(n):
    i = np.arange(n)
    z = 1 - (2 * i + 1) / n
    phi = np.pi * (3 - np.sqrt(5)) * i
    r = np.sqrt(1 - z**2)
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def gram(x, bias):
    """(1/n) H on the points: the operator T discretised with the empirical measure."""
    k = kernel_with_bias(x, x) if bias else kernel_no_bias(x @ x.T)
    return k / len(x)


# --- kernels ----------------------------------------------------------------------------------


def test_kernel_special_values():
    np.testing.assert_allclose(kernel_no_bias([1.0, 0.0, -1.0]), [0.5, 0.0, 0.0], atol=1e-15)
    x = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    k = kernel_with_bias(x, x)  # paper: (x^T x' + 1)(pi - arccos x^T x') / (4 pi)
    np.testing.assert_allclose(np.diag(k), 0.5, atol=1e-15)
    assert k[0, 1] == pytest.approx(0.0, abs=1e-15)
    assert k[0, 2] == pytest.approx(1 / 8)
    np.testing.assert_allclose(kernel_with_bias(x, x, input_scale=1.0), 2 * k)


def empirical_ntk(x, m, sigma, bias, scale=1.0, seed=0):
    """J J^T of f(x) = m^{-1/2} sum_r a_r ReLU(scale (w_r^T x + b_r)), W ~ N(0, sigma^2), b = 0."""
    gen = torch.Generator().manual_seed(seed)
    xt = torch.as_tensor(x, dtype=torch.float64)
    w = (sigma * torch.randn(m, x.shape[1], generator=gen, dtype=torch.float64)).requires_grad_()
    a = torch.where(torch.randn(m, generator=gen) > 0, 1.0, -1.0).to(torch.float64)
    b = torch.zeros(m, dtype=torch.float64, requires_grad=True)
    params = [w, b] if bias else [w]
    rows = []
    for xi in xt:  # one forward/backward per sample keeps the cost O(n m)
        out = torch.relu(scale * (w @ xi + (b if bias else 0.0))) @ a / np.sqrt(m)
        rows.append(torch.cat([g.reshape(-1) for g in torch.autograd.grad(out, params)]))
    jac = torch.stack(rows)
    return (jac @ jac.T).numpy()


def test_wide_net_ntk_matches_closed_forms():
    rng = np.random.default_rng(1)
    dirs = rng.standard_normal((24, 3))
    x = dirs / np.linalg.norm(dirs, axis=1, keepdims=True)
    m, atol = 20_000, 0.03  # Monte Carlo std of an entry <= 0.5 / sqrt(m) = 0.0035 on the sphere
    no_bias = empirical_ntk(x, m, sigma=1.0, bias=False)
    np.testing.assert_allclose(no_bias, kernel_no_bias(x @ x.T), atol=atol)
    # Paper's convention: augmented input (x, 1) / sqrt(2); sigma = 2.5 as in the authors' 1-D runs.
    paper = empirical_ntk(x, m, sigma=2.5, bias=True, scale=PAPER_INPUT_SCALE)
    np.testing.assert_allclose(paper, kernel_with_bias(x, x), atol=atol * 2 / 3)
    # b = 0 at init: the firing pattern, hence the kernel, does not depend on sigma.
    same_w_directions = empirical_ntk(x, m, sigma=1.0, bias=True, scale=PAPER_INPUT_SCALE)
    np.testing.assert_allclose(same_w_directions, paper, rtol=1e-12)
    # Plain f = sum a ReLU(w^T x + b) (authors' training code), also off the sphere.
    xr = x * rng.uniform(0.5, 1.5, size=(len(x), 1))
    plain = empirical_ntk(xr, m, sigma=2.5, bias=True)
    np.testing.assert_allclose(plain, kernel_with_bias(xr, xr, input_scale=1.0), atol=2 * atol)
    assert np.max(np.abs(empirical_ntk(x, m, 2.5, True) - kernel_with_bias(x, x))) > 0.3


# --- eigenvalues ------------------------------------------------------------------------------


@pytest.mark.parametrize("bias", BIASES)
def test_circle_gram_spectrum_matches_closed_form(bias):
    theta, x = circle_grid(1000)
    g = gram(x, bias)
    ks = np.arange(11)
    lam = circle_eigenvalues(ks, bias)
    # k = 0 once, k >= 1 twice (cos and sin); without bias odd k >= 3 vanish.
    expected = np.sort(np.concatenate([lam[:1], np.repeat(lam[1:], 2)]))[::-1]
    expected = expected[expected > 0]
    top = np.sort(np.linalg.eigvalsh(g))[::-1][: len(expected)]
    np.testing.assert_allclose(top, expected, rtol=0, atol=1e-6)
    assert len(expected) == (21 if bias else 13)
    for k in ks:
        for mode in (np.cos, np.sin)[: 1 if k == 0 else 2]:
            v = mode(k * theta)
            v /= np.linalg.norm(v)
            gv = g @ v
            assert v @ gv == pytest.approx(lam[k], abs=1e-6)
            np.testing.assert_allclose(gv, lam[k] * v, atol=1e-6)  # an eigenvector
    if not bias:
        np.testing.assert_array_equal(lam[3::2], 0.0)
    else:
        assert np.all(lam > 0)


@pytest.mark.parametrize("bias", BIASES)
def test_sphere_gram_rayleigh_quotients(bias):
    x = fibonacci_sphere(3000)
    g = gram(x, bias)
    lam = sphere_eigenvalues(np.arange(7), d=3, bias=bias)
    for k in range(7):
        v = eval_legendre(k, x[:, 2])
        v /= np.linalg.norm(v)
        gv = g @ v
        assert v @ gv == pytest.approx(lam[k], abs=3e-6)
        assert np.linalg.norm(gv - lam[k] * v) < 5e-6
    if not bias:
        np.testing.assert_array_equal(lam[3::2], 0.0)


GAUSS_LEGENDRE_100 = np.polynomial.legendre.leggauss(100)


def funk_hecke(kernel, k, d):
    """c_d int_0^pi K(cos t) P_k^{(d)}(cos t) sin^{d-2} t dt, Gauss-Legendre (smooth in t)."""
    u, w = GAUSS_LEGENDRE_100
    t = np.pi * (u + 1) / 2
    if d == 2:
        legendre_d = np.cos(k * t)
    else:
        alpha = (d - 2) / 2
        legendre_d = eval_gegenbauer(k, alpha, np.cos(t)) / eval_gegenbauer(k, alpha, 1.0)
    c_d = np.exp(gammaln(d / 2) - gammaln((d - 1) / 2)) / np.sqrt(np.pi)
    return c_d * np.pi / 2 * np.sum(w * kernel(np.cos(t)) * legendre_d * np.sin(t) ** (d - 2))


@pytest.mark.parametrize("d", [2, 3, 4, 5, 7, 10, 20])
@pytest.mark.parametrize("bias", BIASES)
def test_sphere_eigenvalues_match_funk_hecke_quadrature(d, bias):
    def bias_kernel(t):  # (1 + t)(pi - arccos t) / (4 pi), independent of kernel_with_bias
        return PAPER_INPUT_SCALE**2 * (1 + t) * (np.pi - np.arccos(t)) / (2 * np.pi)

    kernel = bias_kernel if bias else kernel_no_bias
    ks = np.arange(9)
    quad = [funk_hecke(kernel, k, d) for k in ks]
    np.testing.assert_allclose(sphere_eigenvalues(ks, d=d, bias=bias), quad, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("bias", BIASES)
def test_circle_closed_forms_equal_general_formula(bias):
    ks = np.arange(40)
    np.testing.assert_allclose(circle_eigenvalues(ks, bias), sphere_eigenvalues(ks, d=2, bias=bias), rtol=1e-13, atol=0)


def taylor_series_eigenvalue(d, k, dps=25):
    """Bias eigenvalue (s^2 = 1/2, k >= 2): Funk-Hecke term by term over the arcsin Taylor series.

    Odd k pairs with arcsin t = sum_n c_n t^(2n+1), even k with t arcsin t; c_n = (2n)! /
    (4^n n!^2 (2n+1)) and the eigenvalue of t^j at degree k is
    mu_jk = Gamma(d/2) j! Gamma((j-k+1)/2) / (sqrt(pi) 2^k (j-k)! Gamma((j+k+d)/2)) (Rodrigues).
    No Gauss summation, so this checks the closed forms; slow unless d is large.
    """
    with mp.workdps(dps):
        lg = mp.loggamma
        n = (k - 1) // 2 if k % 2 else (k - 2) // 2
        j = 2 * n + 1 if k % 2 else 2 * n + 2  # = k: the first power with a degree-k part
        log_c = lg(2 * n + 1) - n * mp.log(4) - 2 * lg(n + 1) - mp.log(2 * n + 1)
        log_mu = lg(mp.mpf(d) / 2) + lg(j + 1) + lg(mp.mpf(j - k + 1) / 2) - lg(j - k + 1)
        log_mu -= mp.log(mp.pi) / 2 + k * mp.log(2) + lg(mp.mpf(j + k + d) / 2)
        term = mp.exp(log_c + log_mu)
        total = mp.mpf(0)
        while term > total * mp.mpf(10) ** (-dps + 8):
            total += term
            term *= mp.mpf((2 * n + 1) ** 2) / ((2 * n + 2) * (2 * n + 3))  # c_{n+1} / c_n
            term *= mp.mpf((j + 2) * (j + 1)) / ((j - k + 2) * (j + k + d))  # mu_{j+2} / mu_j
            n, j = n + 1, j + 2
        return total / (4 * mp.pi)


@pytest.mark.parametrize("d, k", [(101, 40), (101, 41), (101, 1000), (41, 300), (41, 301)])
def test_asymptotic_coefficients_match_direct_series(d, k):
    exact = asymptotic_coefficients(d, k)
    assert isinstance(exact, mp.mpf)
    assert mp.almosteq(exact, taylor_series_eigenvalue(d, k), rel_eps=mp.mpf(10) ** -13)


def test_asymptotic_coefficients_beyond_float_range():
    d, k = 101, 100_000
    c = asymptotic_coefficients(d, k)
    assert c > 0 and float(c) == 0.0  # underflows float64
    leading = mp.gamma(mp.mpf(d) / 2) ** 2 / (2 * (2 * mp.pi) ** 2) * (mp.mpf(k) / 2) ** (-d)
    assert abs(c / leading - 1) < 0.06  # corrections O(d^2 / k)
    assert asymptotic_coefficients(3, [4, 5]) == pytest.approx(
        list(sphere_eigenvalues(np.array([4, 5]), d=3, bias=True)), rel=1e-14
    )


def test_growth_exponent_is_linear_in_d():
    for d in range(2, 7):  # 1/lambda_k ~ k^d on S^{d-1}
        assert growth_exponent(d) == pytest.approx(d, abs=0.02)
    # The authors' range: d_paper = 2..100 is S^{d_paper}, our d = d_paper + 1.
    ds = np.array([3, 21, 41, 61, 81, 101])
    g = np.array([growth_exponent(d, range(800, 1001, 10)) for d in ds])
    per_unit_d = np.diff(g) / np.diff(ds)
    assert np.all((per_unit_d > 0.85) & (per_unit_d < 1.0))  # ~constant, finite-k dip at large d
    assert growth_exponent(101, range(100_000, 120_001, 1000)) == pytest.approx(101, abs=0.1)


# --- learning time ----------------------------------------------------------------------------


def test_predicted_learning_time_formula():
    lam = np.array([0.0, 1e-3, 0.5e-3, 1.0])
    t = predicted_learning_time(lam, lr=0.01, n=100, loss_threshold=0.05)
    assert t[0] == np.inf
    # 1/2 (1 - 1e-3)^{2t} <= 0.05  <=>  t >= log(0.1) / (2 log(0.999))
    assert t[1] == np.ceil(np.log(0.1) / (2 * np.log(1 - 1e-3)))
    assert t[2] == pytest.approx(2 * t[1], abs=2)  # time ~ 1 / (lr lambda)
    assert t[3] == 1.0  # lr n lambda = 1 clears the mode in one step
    assert predicted_learning_time(1e-3, 0.01, 100, loss_threshold=0.6) == 0.0
    assert predicted_learning_time(1e-3, 0.01, 100, 0.05, target_norm=2.0) > t[1]
    assert predicted_learning_time(3.0, 1.0, 1, 0.05) == np.inf  # lr n lambda >= 2 diverges


@pytest.mark.parametrize("bias", BIASES)
def test_predicted_learning_time_matches_linear_gd(bias):
    n, lr, thr = 256, 0.01, 0.05
    theta, x = circle_grid(n)
    h = gram(x, bias) * n  # paper's scaling: gradient of 1/2 sum_i (f(x_i) - y_i)^2
    for k in range(7):
        y = np.cos(k * theta)
        y /= np.linalg.norm(y)
        predicted = predicted_learning_time(circle_eigenvalues(k, bias), lr, n, thr)
        grid_lambda = y @ h @ y / n  # y is an exact eigenvector of the circulant grid matrix
        u, steps = np.zeros(n), 0
        while 0.5 * np.sum((u - y) ** 2) > thr and steps < 5000:
            u -= lr * h @ (u - y)
            steps += 1
        if predicted == np.inf:
            assert not bias and k >= 3 and k % 2 == 1
            assert 0.5 * np.sum((u - y) ** 2) == pytest.approx(0.5)
        else:
            assert steps == predicted_learning_time(grid_lambda, lr, n, thr)
            assert abs(steps - predicted) <= 1  # grid vs continuum eigenvalue: ~1e-4 relative
