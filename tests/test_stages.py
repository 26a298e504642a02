"""Analytic checks of the band energies, shares, stage windows and the equal-energy target."""

import numpy as np
import pytest

from fprinciple.spectral.dft import uniform_grid
from fprinciple.spectral.stages import (
    band_energy,
    band_share,
    density_quantile_points,
    equal_band_energy_target,
    falls_with_cutoff,
    output_change_share,
    quadrature_weights,
    residual_energy_share,
    share_above,
    stage_shares,
    stage_windows,
    tail_statistics,
    weighted_loss,
)

TOL = 1e-12


def grid(n=128):
    return uniform_grid(n, -np.pi, np.pi, endpoint=False)


def bump_density(x):
    """A smooth non-uniform density, vanishing at ±π."""
    return (1 + np.cos(x)) ** 2


# --- Parseval ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [128, 101])
@pytest.mark.parametrize("density", [None, bump_density])
def test_band_energies_sum_to_the_weighted_loss(n, density):
    x = grid(n)
    rng = np.random.default_rng(1)
    u = rng.standard_normal(n)
    w = None if density is None else quadrature_weights(density(x))
    energy = band_energy(u, w)
    assert energy.shape == (n // 2 + 1,)
    np.testing.assert_allclose(energy.sum(), weighted_loss(u, 2, w), rtol=TOL)
    for cutoff in (0, 3, n // 4):
        low = energy[: cutoff + 1].sum()
        high = energy[cutoff + 1 :].sum()
        np.testing.assert_allclose(low + high, weighted_loss(u, 2, w), rtol=TOL)


def test_pure_tone_energy_sits_at_its_index():
    x = grid(64)
    energy = band_energy(3.0 * np.sin(5 * x))
    np.testing.assert_allclose(energy[5], 4.5, rtol=TOL)  # mean of (3 sin)^2
    np.testing.assert_allclose(np.delete(energy, 5), 0.0, atol=TOL)
    np.testing.assert_allclose(band_energy(np.full(64, 2.0))[0], 4.0, rtol=TOL)
    np.testing.assert_allclose(band_energy(np.cos(32 * x))[32], 1.0, rtol=TOL)  # Nyquist, even N


def test_uniform_density_weights_reduce_to_the_unweighted_split():
    x = grid(100)
    rng = np.random.default_rng(2)
    u0, u1 = rng.standard_normal(100), rng.standard_normal(100)
    w = quadrature_weights(np.full_like(x, 0.37))  # a constant density, not normalised
    np.testing.assert_allclose(w, 1 / 100, rtol=TOL)
    np.testing.assert_allclose(band_energy(u0, w), band_energy(u0), rtol=TOL)
    assert residual_energy_share(u0, u1, 7, w) == pytest.approx(residual_energy_share(u0, u1, 7), rel=1e-12)
    assert output_change_share(u0, u1, 7, w) == pytest.approx(output_change_share(u0, u1, 7), rel=1e-12)
    assert band_share(u0, 7, w) == pytest.approx(band_share(u0, 7), rel=1e-12)


def test_quadrature_weights_integrate_the_density():
    x = grid(256)
    w = quadrature_weights(bump_density(x))
    np.testing.assert_allclose(w.sum(), 1.0, rtol=TOL)
    # E_ρ[cos x] for ρ ∝ (1 + cos x)² = (1 + 2cos + cos²): ∫cos ρ / ∫ρ = 2π / 3π = 2/3, exact here.
    np.testing.assert_allclose(np.sum(w * np.cos(x)), 2 / 3, rtol=1e-12)
    with pytest.raises(ValueError):
        quadrature_weights(np.zeros(4))


# --- shares -----------------------------------------------------------------------------------


@pytest.mark.parametrize("density", [None, bump_density])
def test_share_is_one_for_a_low_only_decrease_and_zero_for_high_only(density):
    x = grid(128)
    w = None if density is None else quadrature_weights(density(x))
    low, high = np.sin(2 * x) + 0.5 * np.cos(3 * x), np.sin(20 * x) - 0.3 * np.cos(25 * x)
    cutoff = 8
    if density is not None:
        # √w mixes frequencies by at most ±1 (√ρ ∝ 1 + cos x): the bands stay apart.
        assert band_share(low, cutoff, w) == pytest.approx(1.0, abs=1e-12)
        assert band_share(high, cutoff, w) == pytest.approx(0.0, abs=1e-12)
    r0 = low + high
    assert residual_energy_share(r0, 0.4 * low + high, cutoff, w) == pytest.approx(1.0, abs=1e-12)
    assert residual_energy_share(r0, low + 0.4 * high, cutoff, w) == pytest.approx(0.0, abs=1e-12)
    h0 = np.cos(x)
    assert output_change_share(h0, h0 + 0.1 * low, cutoff, w) == pytest.approx(1.0, abs=1e-12)
    assert output_change_share(h0, h0 + 0.1 * high, cutoff, w) == pytest.approx(0.0, abs=1e-12)


def test_uniform_decrease_matches_the_baseline():
    # Shrinking every frequency by the same factor gives a share equal to the band's share at t0.
    x = grid(128)
    r0 = np.sin(x) + 2 * np.sin(4 * x) + np.sin(30 * x)
    assert residual_energy_share(r0, 0.6 * r0, 5) == pytest.approx(band_share(r0, 5), rel=1e-12)
    assert band_share(r0, 5) == pytest.approx(5 / 6, rel=1e-12)


def test_share_beyond_one_when_the_high_band_grows():
    x = grid(64)
    low, high = np.sin(x), np.sin(20 * x)
    share = residual_energy_share(low + 0.1 * high, 0.5 * low + 0.2 * high, 4)
    expected = (0.5 - 0.125) / ((0.5 + 0.005) - (0.125 + 0.02))  # energies of the two states
    assert share == pytest.approx(expected, rel=1e-12) and share > 1


def test_unchanged_gives_nan():
    u = np.sin(grid(32))
    assert np.isnan(residual_energy_share(u, u, 3))
    assert np.isnan(output_change_share(u, u, 3))


def test_weighted_loss_l4():
    u = np.array([1.0, -2.0, 0.5, 0.0])
    assert weighted_loss(u, 4) == pytest.approx((1 + 16 + 0.0625) / 4)
    w = np.array([0.1, 0.2, 0.3, 0.4])
    assert weighted_loss(u, 4, w) == pytest.approx(0.1 + 3.2 + 0.3 * 0.0625)


# --- stages -----------------------------------------------------------------------------------


def test_stage_windows():
    loss = np.array([1.0, 0.9, 0.7, 0.5, 0.3, 0.2, 0.15, 0.12, 0.11, 0.1, 0.1])
    windows = stage_windows(loss, final_fraction=0.2)
    assert windows == {"initial": (0, 1), "intermediate": (0, 3), "final": (8, 10)}
    assert stage_windows(np.array([1.0, 0.9, 0.8]))["intermediate"] is None


def test_stage_shares_on_a_low_first_history():
    # Low band decays fast (rate 0.1), high slowly (0.01), as in a linearised net. The initial and
    # intermediate shares beat the baseline; the final one, once the low band is fitted, does not.
    x = grid(128)
    low, high = np.sin(2 * x), np.sin(20 * x)
    target = low + high
    times = np.arange(0, 101, 5)
    outputs = np.stack([(1 - np.exp(-0.1 * t)) * low + (1 - np.exp(-0.01 * t)) * high for t in times])
    loss = weighted_loss(outputs - target, 2)
    table = stage_shares(times, loss, outputs, target, cutoff=8).set_index("stage")
    assert list(table.index) == ["initial", "intermediate", "final"]
    assert table.loc["initial", "baseline"] == pytest.approx(0.5, rel=1e-12)
    assert table.loc["intermediate", "t1"] == times[np.flatnonzero(loss <= loss[0] / 2)[0]]
    early = table.loc[["initial", "intermediate"]]
    assert (early["residual_energy_share"] > 0.5).all() and (early["output_change_share"] > 0.5).all()
    # Initial stage, closed form: energies (e^{-0.2 t}, e^{-0.02 t}) / 2 per band.
    d_low, d_high = 1 - np.exp(-0.1 * 5), 1 - np.exp(-0.01 * 5)
    e_low, e_high = (1 - d_low) ** 2, (1 - d_high) ** 2
    assert table.loc["initial", "residual_energy_share"] == pytest.approx((1 - e_low) / (2 - e_low - e_high), rel=1e-10)
    assert table.loc["initial", "output_change_share"] == pytest.approx(d_low**2 / (d_low**2 + d_high**2), rel=1e-10)
    # Final stage (t = 80 → 100): residual energies e^{-0.2t}/2 (low) and e^{-0.02t}/2 (high).
    assert (table.loc["final", "t0"], table.loc["final", "t1"]) == (80, 100)
    drop_low, drop_high = np.exp(-16) - np.exp(-20), np.exp(-1.6) - np.exp(-2)
    assert table.loc["final", "residual_energy_share"] == pytest.approx(drop_low / (drop_low + drop_high), rel=1e-8)
    assert table.loc["final", "baseline"] == pytest.approx(np.exp(-16) / (np.exp(-16) + np.exp(-1.6)), rel=1e-8)


# --- targets and data -------------------------------------------------------------------------


@pytest.mark.parametrize("density", [None, bump_density])
def test_equal_band_energy_target(density):
    x = grid(128)
    w = None if density is None else quadrature_weights(density(x))
    f = equal_band_energy_target(x, [1, 3], [10, 14, 18], cutoff=6, weights=w)
    assert band_share(f, 6, w) == pytest.approx(0.5, abs=1e-12)
    if density is None:  # pure tones: c = √(2/3)
        np.testing.assert_allclose(
            f, np.sin(x) + np.sin(3 * x) + np.sqrt(2 / 3) * sum(np.sin(k * x) for k in (10, 14, 18)), atol=1e-12
        )
    with pytest.raises(ValueError, match="cutoff"):
        equal_band_energy_target(x, [1, 8], [10], cutoff=6)


def test_density_quantile_points_follow_the_density():
    x = np.linspace(-np.pi, np.pi, 4001)
    points = density_quantile_points(x, bump_density(x), 2000)
    assert points.shape == (2000,) and np.all(np.diff(points) > 0)
    # Their empirical mean of cos matches E_ρ[cos x] = 2/3.
    assert np.mean(np.cos(points)) == pytest.approx(2 / 3, abs=1e-3)
    uniform = density_quantile_points(x, np.ones_like(x), 4)
    np.testing.assert_allclose(uniform, -np.pi + 2 * np.pi * (np.arange(4) + 0.5) / 4, atol=1e-12)


# --- final stage: the tail's decay and the shares above cutoffs ---------------------------------


def test_tail_statistics_of_exponential_bands():
    """Bands decaying as e^{-2λ_b t}: E's e-folds, a steady rate once the slow band dominates, and
    the slowest band's rate over E's."""
    t = np.linspace(0.0, 100.0, 11)
    bands = np.stack([np.exp(-0.02 * t), 1e-9 * np.exp(-0.08 * t)], axis=1)
    stats = tail_statistics(t, bands)
    assert stats["monotone"] == 1
    np.testing.assert_allclose(stats["efolds"], 2.0, rtol=1e-6)
    np.testing.assert_allclose(stats["rate_ratio"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(stats["slowest_band"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(stats["fastest_band"], 4.0, rtol=1e-6)  # the fast band, though it carries nothing
    rising = np.stack([np.exp(-0.02 * t), 1e-3 * (1 + t / 100)], axis=1)
    assert tail_statistics(t, rising)["slowest_band"] < 0


def test_tail_statistics_of_a_power_law_and_a_floor():
    t = np.linspace(800.0, 1000.0, 21)
    power = tail_statistics(t, (1 + t[:, None] / 10) ** -1.0)  # E ∝ t⁻¹ (a degenerate minimum)
    np.testing.assert_allclose(power["efolds"], np.log(101 / 81), rtol=1e-12)
    assert power["rate_ratio"] < 1
    flat = tail_statistics(t, np.ones((21, 2)))
    assert flat["monotone"] == 0 and flat["efolds"] == 0 and np.isnan(flat["rate_ratio"])
    assert np.isnan(flat["slowest_band"]) and np.isnan(flat["fastest_band"])
    two = tail_statistics(t[:2], np.exp(-0.01 * t[:2, None]))  # too short to tell a steady rate
    assert two["efolds"] > 0 and np.isnan(two["rate_ratio"])


def test_share_above_cutoffs_of_pure_tones():
    x = grid(64)
    u0 = np.sin(2 * x) + np.sin(6 * x) + np.sin(12 * x)
    u1 = np.sin(2 * x) + 0.5 * np.sin(6 * x)  # k = 6 loses 3/4 of its energy, k = 12 all of it
    shares = share_above(u0, u1, [4, 8, 16])
    np.testing.assert_allclose(shares, [1.0, 1 / 1.75, 0.0], atol=TOL)  # decreases 0.375 and 0.5 of 0.875
    change = share_above(np.zeros(64), np.sin(3 * x) + 3 * np.sin(10 * x), [4, 8, 16], change=True)
    np.testing.assert_allclose(change, [0.9, 0.9, 0.0], atol=TOL)
    assert np.isnan(share_above(u0, u0, [4, 8])).all()


def test_falls_with_cutoff():
    assert falls_with_cutoff([0.5, 0.1, 0.0]) and falls_with_cutoff([0.5, 0.5, 0.1])
    assert not falls_with_cutoff([0.5, 0.6, 0.1])  # rises at one cutoff
    assert not falls_with_cutoff([0.2, 0.2, 0.2])  # never falls
    assert not falls_with_cutoff([0.5, np.nan, 0.1]) and not falls_with_cutoff([0.5])
