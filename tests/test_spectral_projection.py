"""Projection method (eq. 1.6): first principal component and non-uniform DFT."""

from __future__ import annotations

import numpy as np
import pytest

from fprinciple.spectral.dft import delta_f
from fprinciple.spectral.projection import (
    first_principal_component,
    nudft,
    peak_frequencies,
    project,
    projected_dft,
    vector_delta_f,
)


def test_first_principal_component_recovers_spread_direction():
    rng = np.random.default_rng(0)
    direction = rng.normal(size=6)
    direction /= np.linalg.norm(direction)
    x = 3.0 + np.outer(rng.normal(scale=5.0, size=2000), direction) + rng.normal(scale=0.1, size=(2000, 6))
    p = first_principal_component(x)
    assert np.linalg.norm(p) == pytest.approx(1.0, rel=1e-12)
    assert abs(p @ direction) == pytest.approx(1.0, abs=1e-4)
    assert p[np.argmax(np.abs(p))] > 0  # sign convention
    np.testing.assert_allclose(first_principal_component(-x), p, atol=1e-12)  # sign is not data-dependent


def test_first_principal_component_flattens_samples():
    x = np.zeros((50, 2, 3))
    x[:, 1, 2] = np.linspace(-1, 1, 50)
    np.testing.assert_allclose(first_principal_component(x), np.eye(6)[5], atol=1e-12)
    np.testing.assert_allclose(project(x, np.eye(6)[5]), x[:, 1, 2])


def test_cosine_has_half_amplitude_peaks_at_plus_minus_k0():
    n, k0 = 40_000, 5
    v = np.random.default_rng(1).random(n)
    freqs = np.arange(-12, 13, dtype=float)
    magnitude = np.abs(nudft(np.cos(2 * np.pi * k0 * v), v, freqs))
    peaks = np.abs(freqs) == k0
    # Off-peak coefficients are Monte Carlo noise of size ~ 1 / (2 sqrt(n)) = 0.0025.
    np.testing.assert_allclose(magnitude[peaks], 0.5, atol=0.02)
    assert magnitude[~peaks].max() < 0.02


def test_matches_direct_sum_and_is_independent_of_chunking():
    rng = np.random.default_rng(2)
    v = rng.normal(size=300)
    y = rng.normal(size=(300, 3))
    freqs = np.linspace(-3, 3, 41)
    direct = np.array([[np.mean(y[:, c] * np.exp(-2j * np.pi * k * v)) for c in range(3)] for k in freqs])
    full = nudft(y, v, freqs)
    assert full.shape == (41, 3)
    np.testing.assert_allclose(full, direct, rtol=1e-12, atol=1e-14)
    for chunk in (1, 4, 41, 1000):
        np.testing.assert_allclose(nudft(y, v, freqs, chunk_size=chunk), full, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(nudft(y[:, 1], v, freqs), full[:, 1], rtol=1e-12, atol=1e-14)


def test_projected_dft_measures_along_pc1():
    rng = np.random.default_rng(3)
    direction = np.array([0.6, 0.8])
    x = np.outer(rng.random(5000), direction) + rng.normal(scale=1e-3, size=(5000, 2))
    y = np.cos(2 * np.pi * 3 * (x @ direction))
    freqs = np.array([0.0, 3.0, 7.0])
    spectrum = np.abs(projected_dft(x, y, freqs))
    np.testing.assert_allclose(spectrum, np.abs(projected_dft(x, y, freqs, direction=direction)), atol=1e-4)
    assert spectrum[1] == pytest.approx(0.5, abs=0.03) and spectrum[2] < 0.05


def test_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="positions"):
        nudft(np.ones(3), np.ones(4), np.zeros(2))


def test_pure_tone_along_a_direction_peaks_at_its_frequency():
    rng = np.random.default_rng(4)
    direction = np.array([0.6, 0.0, 0.8])
    x = rng.normal(size=(4000, 3)) * np.array([0.3, 0.3, 0.3]) + np.outer(rng.uniform(-2, 2, 4000), direction)
    k0 = 1.5
    y = np.cos(2 * np.pi * k0 * (x @ direction))
    freqs = np.linspace(0, 4, 401)
    magnitude = np.abs(projected_dft(x, y, freqs))
    # min_rel_height drops the window's sinc side lobes (~0.2 of the main lobe), which are maxima too.
    peaks = peak_frequencies(freqs, magnitude, n_peaks=1, min_rel_height=0.5)
    np.testing.assert_allclose(peaks, [k0], atol=0.02)


def test_peak_frequencies_skips_maxima_closer_than_the_separation():
    freqs = np.linspace(0, 1, 11)
    magnitude = np.array([0, 5, 0, 4, 0, 3, 2, 3, 0, 1, 0], dtype=float)  # maxima at 0.1, 0.3, 0.5, 0.7, 0.9
    np.testing.assert_allclose(peak_frequencies(freqs, magnitude), [0.1, 0.3, 0.5, 0.7, 0.9])
    np.testing.assert_allclose(peak_frequencies(freqs, magnitude, min_separation=0.25), [0.1, 0.5, 0.9])
    np.testing.assert_allclose(peak_frequencies(freqs, magnitude, n_peaks=2, min_separation=0.25), [0.1, 0.5])


def test_vector_delta_f_uses_norms_over_classes():
    y = np.array([[3.0, 4.0j]])  # ||y|| = 5
    h = np.array([[3.0, -4.0j]])  # opposite phase in the second class: ||h - y|| = 8, moduli equal
    np.testing.assert_allclose(vector_delta_f(h, y), [8 / 5])
    np.testing.assert_allclose(vector_delta_f(h, y, "magnitude"), [0.0])
    np.testing.assert_allclose(vector_delta_f(0.5 * y, y), [0.5])
    scalar_h, scalar_y = np.array([1 + 1j, 2.0]), np.array([2.0, 1j])
    np.testing.assert_allclose(vector_delta_f(scalar_h[:, None], scalar_y[:, None]), delta_f(scalar_h, scalar_y))
    with pytest.raises(ValueError, match="form"):
        vector_delta_f(h, y, "phase")
