"""Low-frequency ratio and ratio density (XZ20) against closed forms, conventions, normalisation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.integrate import cumulative_trapezoid
from scipy.optimize import brentq
from scipy.spatial.distance import pdist
from scipy.special import erf, ive

from fprinciple.spectral.filtering import STRATEGIES, GaussianFilter
from fprinciple.spectral.lfr import (
    frequency_profile,
    frequency_quantile,
    kernel_variances,
    low_frequency_ratio,
    mean_frequency,
    ratio_density,
    rms_pairwise_distance,
)

# sin(k pi x) on the periodic domain [0, 2L), embedded as a circle of circumference 2L so that
# there is no boundary. The kernel of the chord distance, exp(-k0^2 |p - p'|^2 / 2) =
# exp(-kappa (1 - cos(theta - theta'))) with kappa = (R k0)^2, is a von Mises kernel: smoothing
# multiplies sin(m theta) by I_m(kappa) / I_0(kappa) exactly (the uniform grid makes the discrete
# filter circulant; aliasing is ~exp(-N^2 / (2 kappa))). When 1/k0 << R this tends to the line's
# exp(-(k pi)^2 / (2 k0^2)).
HALF_PERIOD, N_CIRCLE = 10.0, 1000
RADIUS = HALF_PERIOD / np.pi


def circle_sine(k: float) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(N_CIRCLE) * 2 * HALF_PERIOD / N_CIRCLE
    theta = np.pi * x / HALF_PERIOD
    return RADIUS * np.stack([np.cos(theta), np.sin(theta)], axis=1), np.sin(k * np.pi * x)


def circle_sine_lfr(k: float, k0) -> np.ndarray:
    """Exact LFR of ``circle_sine(k)`` (std convention, no normalisation)."""
    kappa = (RADIUS * np.asarray(k0)) ** 2
    return (ive(k * HALF_PERIOD, kappa) / ive(0, kappa)) ** 2


K0 = np.geomspace(0.5, 20, 60)


@pytest.mark.parametrize("k", [0.5, 1, 2, 4])
def test_sine_lfr_equals_the_periodic_closed_form(k):
    points, y = circle_sine(k)
    lfr = low_frequency_ratio(points, y, K0, normalisation="none")
    np.testing.assert_allclose(lfr, circle_sine_lfr(k, K0), rtol=0, atol=1e-12)
    # ... and the line's energy factor exp(-delta^2 (k pi)^2) once the filter is short (delta <= R/10)
    short = 1 / K0 < RADIUS / 10
    np.testing.assert_allclose(lfr[short], np.exp(-((k * np.pi / K0[short]) ** 2)), rtol=0, atol=2e-3)


def gaussian_bump(s: float = 1.0, half_width: float = 25.0, h: float = 0.05):
    """exp(-x^2 / (2 s^2)) on a uniform grid, wide enough that the truncated normaliser and the
    tails do not matter for k0 >= 1/s: the discrete sums equal the integrals to round-off."""
    x = np.arange(-half_width, half_width + h / 2, h)
    return x[:, None], np.exp(-(x**2) / (2 * s**2))


def test_gaussian_target_lfr_and_rdf_closed_form():
    # Smoothing exp(-x^2/2s^2) with a Gaussian of std delta widens it to sqrt(s^2 + delta^2) and
    # scales it by s / sqrt(s^2 + delta^2): LFR = k0 s / sqrt(1 + (k0 s)^2), RDF = s / (1 + (k0 s)^2)^(3/2).
    s = 1.0
    x, y = gaussian_bump(s)
    k0 = np.geomspace(1.0, 10.0, 80)
    lfr = low_frequency_ratio(x, y, k0, normalisation="none")
    np.testing.assert_allclose(lfr, k0 * s / np.sqrt(1 + (k0 * s) ** 2), rtol=1e-12)
    rdf = ratio_density(k0, lfr)
    exact_rdf = s / (1 + (k0 * s) ** 2) ** 1.5
    np.testing.assert_allclose(rdf[1:-1], exact_rdf[1:-1], rtol=2e-3)  # O(h^2), h = 3 % of k0
    np.testing.assert_allclose(rdf[[0, -1]], exact_rdf[[0, -1]], rtol=5e-3)  # one-sided ends
    # RDF-weighted mean over the grid: int k RDF dk = -(1 + k^2 s^2)^(-1/2) / s
    a, b = k0[0] * s, k0[-1] * s
    expected_mean = ((1 + a**2) ** -0.5 - (1 + b**2) ** -0.5) / s / (lfr[-1] - lfr[0])
    assert mean_frequency(k0, rdf) == pytest.approx(expected_mean, rel=1e-3)
    # LFR = 1/2 at k0 s = 1/sqrt(3)
    wide = np.geomspace(0.2, 10.0, 200)
    x, y = gaussian_bump(s, half_width=40.0)
    assert frequency_quantile(wide, low_frequency_ratio(x, y, wide, normalisation="none")) == pytest.approx(
        1 / np.sqrt(3) / s, rel=1e-3
    )


def test_rdf_integrates_to_lfr():
    points, y = circle_sine(2)
    lfr = low_frequency_ratio(points, y, K0, normalisation="none")
    rdf = ratio_density(K0, lfr)
    np.testing.assert_allclose(cumulative_trapezoid(rdf, K0), lfr[1:] - lfr[0], atol=3e-3)
    # the derivative itself, against the closed form's derivative on a 4x finer grid
    fine = np.geomspace(K0[0], K0[-1], 4 * len(K0))
    exact_rdf = np.interp(K0, fine, np.gradient(circle_sine_lfr(2, fine), fine))
    np.testing.assert_allclose(rdf, exact_rdf, atol=0.01 * exact_rdf.max())


def test_rdf_peak_and_summaries_move_up_with_frequency():
    """The demo's claim: the lower the frequency, the closer the RDF peak sits to zero."""
    ks = [0.5, 1, 2, 4]
    profiles = [frequency_profile(*circle_sine(k), K0, normalisation="none") for k in ks]
    peaks = [p.k0[np.argmax(p.rdf)] for p in profiles]
    assert np.all(np.diff(peaks) > 0)
    assert np.all(np.diff([p.mean_frequency for p in profiles]) > 0)
    assert np.all(np.diff([p.median_frequency for p in profiles]) > 0)
    for k, peak, profile in zip(ks, peaks, profiles):
        # line limit: RDF = 2 a^2 / k0^3 exp(-a^2 / k0^2), a = k pi, peaks at k0 = a sqrt(2/3);
        # within half a grid step (3.2 %) plus the circle's curvature correction
        assert peak == pytest.approx(k * np.pi * np.sqrt(2 / 3), rel=0.05)
        exact_median = brentq(lambda q, k=k: circle_sine_lfr(k, q) - 0.5, K0[0], K0[-1])
        assert profile.median_frequency == pytest.approx(exact_median, rel=2e-3)


def test_mean_frequency_of_the_line_limit():
    # LFR = exp(-a^2/k0^2): int k0 RDF dk0 = a sqrt(pi) (erf(a/k_lo) - erf(a/k_hi))
    a = 3.0
    k0 = np.geomspace(0.5, 200, 400)
    lfr = np.exp(-((a / k0) ** 2))
    expected = a * np.sqrt(np.pi) * (erf(a / k0[0]) - erf(a / k0[-1])) / (lfr[-1] - lfr[0])
    assert mean_frequency(k0, ratio_density(k0, lfr)) == pytest.approx(expected, rel=1e-3)


def test_frequency_quantile_interpolates_and_reports_no_crossing():
    k0 = np.array([1.0, 2.0, 3.0, 4.0])
    assert frequency_quantile(k0, [0.1, 0.3, 0.7, 0.9]) == pytest.approx(2.5)
    assert frequency_quantile(k0, [0.1, 0.3, 0.7, 0.9], q=0.8) == pytest.approx(3.5)
    assert np.isnan(frequency_quantile(k0, [0.1, 0.2, 0.3, 0.4]))  # above the grid
    assert np.isnan(frequency_quantile(k0, [0.6, 0.7, 0.8, 0.9]))  # below the grid


@pytest.fixture
def cloud():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6))
    labels = (x[:, 0] + 0.5 * np.sin(3 * x[:, 1]) > 0).astype(int) + (x[:, 2] > 1)
    return x, np.eye(3)[labels]


def test_variance_convention_is_the_authors_kernel_and_converts_to_std(cloud):
    x, y = cloud
    k0 = np.array([0.3, 1.0, 4.0])
    lfr_variance = low_frequency_ratio(x, y, k0, delta_convention="variance", normalisation="none")
    dist = np.square(x[:, None, :] - x[None, :, :]).sum(-1)
    for value, k in zip(lfr_variance, k0):
        kernel = np.exp(-dist / (2 * (1 / k)))  # exp(-|x - x'|^2 / (2 delta)), delta = 1/k0
        low = kernel @ y / kernel.sum(1, keepdims=True)
        assert value == pytest.approx(np.square(low).sum() / np.square(y).sum(), rel=1e-12)
    lfr_std = low_frequency_ratio(x, y, np.sqrt(k0), delta_convention="std", normalisation="none")
    np.testing.assert_allclose(lfr_std, lfr_variance, rtol=1e-12)
    np.testing.assert_allclose(kernel_variances(k0, "std", 2.0), (2.0 / k0) ** 2)
    np.testing.assert_allclose(kernel_variances(k0, "variance", 2.0), 4.0 / k0)


def test_rms_pairwise_distance_matches_brute_force(cloud):
    x, _ = cloud
    assert rms_pairwise_distance(x) == pytest.approx(np.sqrt(np.mean(pdist(x, "sqeuclidean"))), rel=1e-12)
    assert rms_pairwise_distance(torch.as_tensor(x, dtype=torch.float32).reshape(300, 2, 3)) == pytest.approx(
        rms_pairwise_distance(x), rel=1e-5
    )


@pytest.mark.parametrize("convention", ["std", "variance"])
def test_rms_normalisation_makes_lfr_scale_invariant(cloud, convention):
    x, y = cloud
    k0 = np.geomspace(0.5, 10, 12)
    reference = low_frequency_ratio(x, y, k0, delta_convention=convention)
    for c in (1e-3, 7.3, 250.0):
        scaled = low_frequency_ratio(c * x, y, k0, delta_convention=convention)
        np.testing.assert_allclose(scaled, reference, rtol=1e-10)
    # the normalisation is the division of the inputs by their RMS pairwise distance
    unit = x / rms_pairwise_distance(x)
    np.testing.assert_allclose(
        low_frequency_ratio(unit, y, k0, delta_convention=convention, normalisation="none"), reference, rtol=1e-10
    )
    # without it, the scale does change the LFR
    assert not np.allclose(low_frequency_ratio(7.3 * x, y, k0, normalisation="none"), reference, rtol=1e-3)


def test_one_hot_limits(cloud):
    """Constant part (frequency 0) below any grid: LFR -> sum_c p_c^2 as k0 -> 0, -> 1 as k0 -> inf."""
    x, y = cloud
    lfr = low_frequency_ratio(x, y, [1e-4, 1e4])
    assert lfr[0] == pytest.approx(np.square(y.mean(0)).sum(), rel=1e-6)
    assert lfr[1] == pytest.approx(1.0, rel=1e-12)


def test_low_pass_energy_matches_low_pass_for_every_strategy(cloud):
    x, y = cloud
    deltas = (0.2, 2.0)
    reference = {d: np.square(v.numpy()).sum() for d, v in GaussianFilter(x, deltas).low_pass(y).items()}
    for strategy in STRATEGIES:
        for chunk in (7, 300):
            energy = GaussianFilter(x, deltas, strategy=strategy, chunk_size=chunk).low_pass_energy(y)
            for d in deltas:
                assert energy[d] == pytest.approx(reference[d], rel=1e-12)


@pytest.mark.parametrize(
    "device",
    ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU"))],
)
def test_float32_path_agrees_with_float64(cloud, device):
    x, y = cloud
    k0 = np.geomspace(0.5, 10, 12)
    reference = low_frequency_ratio(x, y, k0)
    lfr = low_frequency_ratio(torch.as_tensor(x, dtype=torch.float32, device=device), y, k0, chunk_size=64)
    np.testing.assert_allclose(lfr, reference, rtol=1e-4)


def test_invalid_arguments(cloud):
    x, y = cloud
    with pytest.raises(ValueError, match="strictly increasing"):
        low_frequency_ratio(x, y, [2.0, 1.0])
    with pytest.raises(ValueError, match="delta_convention"):
        low_frequency_ratio(x, y, [1.0, 2.0], delta_convention="sigma")
    with pytest.raises(ValueError, match="normalisation"):
        low_frequency_ratio(x, y, [1.0, 2.0], normalisation="median")
    with pytest.raises(ValueError, match="all effective inputs are equal"):
        low_frequency_ratio(np.ones_like(x), y, [1.0, 2.0])
