"""Analytic checks of the DFT conventions, peaks, ΔF and convergence steps."""

import numpy as np
import pytest

from fprinciple.spectral.dft import (
    convergence_steps,
    delta_f,
    find_peaks,
    spectrum,
    uniform_grid,
)

TOL = 1e-12


def periodic_x(n=256):
    return uniform_grid(n, -np.pi, np.pi, endpoint=False)


# --- grid -------------------------------------------------------------------------------------


def test_uniform_grid_endpoint_and_periodic():
    np.testing.assert_allclose(uniform_grid(5, -1.0, 1.0), [-1, -0.5, 0, 0.5, 1], atol=TOL)
    x = periodic_x(8)
    assert x.shape == (8,)
    assert x[0] == -np.pi and x[-1] < np.pi
    np.testing.assert_allclose(np.diff(x), 2 * np.pi / 8, atol=TOL)


# --- spectrum and peaks -----------------------------------------------------------------------


@pytest.mark.parametrize("n", [256, 201])
def test_pure_sine_exact_peak_and_amplitude(n):
    x = periodic_x(n)
    for k in (1, 5, 17):
        m = np.abs(spectrum(3.0 * np.sin(k * x)))
        assert m.shape == (n // 2 + 1,)
        np.testing.assert_allclose(m[k], 1.5, atol=TOL)
        others = np.delete(m, k)
        np.testing.assert_allclose(others, 0.0, atol=TOL)
        np.testing.assert_array_equal(find_peaks(m), [k])


def test_unit_sine_has_half_magnitude():
    x = periodic_x(64)
    np.testing.assert_allclose(np.abs(spectrum(np.sin(x)))[1], 0.5, atol=TOL)


@pytest.mark.parametrize("n", [256, 201])
def test_sum_of_sines_and_cosines(n):
    x = periodic_x(n)
    freqs, amps = [1, 3, 7, 20], [1.0, 0.5, 2.0, 0.25]
    y = sum(a * np.sin(k * x) for k, a in zip(freqs, amps)) + 0.8 * np.cos(11 * x)
    m = np.abs(spectrum(y))
    np.testing.assert_array_equal(find_peaks(m), [1, 3, 7, 11, 20])
    np.testing.assert_allclose(m[freqs], np.array(amps) / 2, atol=TOL)
    np.testing.assert_allclose(m[11], 0.4, atol=TOL)


def test_cosine_peak_and_dc():
    x = periodic_x(128)
    y_hat = spectrum(2.0 + 1.2 * np.cos(4 * x))
    np.testing.assert_allclose(np.abs(y_hat[0]), 2.0, atol=TOL)
    np.testing.assert_allclose(np.abs(y_hat[4]), 0.6, atol=TOL)
    np.testing.assert_array_equal(find_peaks(np.abs(y_hat)), [4])


@pytest.mark.parametrize("n", [256, 201, 257])
@pytest.mark.parametrize("c", [1.0, 0.3, np.pi])
def test_constant_has_no_interior_peak(n, c):
    # Non-power-of-two n leaves ~1e-17 FFT round-off at k >= 1; it must not count as peaks.
    peaks = find_peaks(np.abs(spectrum(np.full(n, c))))
    assert peaks.dtype.kind == "i" and peaks.size == 0


def test_spectrum_batch_matches_rows():
    x = periodic_x(64)
    batch = np.stack([np.sin(k * x) for k in (1, 2, 3)]).reshape(3, 1, 64)
    out = spectrum(batch)
    assert out.shape == (3, 1, 33) and np.iscomplexobj(out)
    for i, k in enumerate((1, 2, 3)):
        np.testing.assert_allclose(out[i, 0], spectrum(batch[i, 0]), atol=TOL)
        np.testing.assert_allclose(np.abs(out[i, 0, k]), 0.5, atol=TOL)


def test_spectrum_matches_eq_1_3():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(10)
    j = np.arange(10)
    direct = np.array([np.sum(a * np.exp(-2j * np.pi * k * j / 10)) for k in range(6)]) / 10
    np.testing.assert_allclose(spectrum(a), direct, atol=TOL)


def test_find_peaks_max_freq():
    x = periodic_x(256)
    m = np.abs(spectrum(np.sin(2 * x) + np.sin(9 * x) + np.sin(30 * x)))
    np.testing.assert_array_equal(find_peaks(m, max_freq=40), [2, 9, 30])
    np.testing.assert_array_equal(find_peaks(m, max_freq=20), [2, 9])
    # The last index considered is never a peak (not interior).
    np.testing.assert_array_equal(find_peaks(m, max_freq=9), [2])
    np.testing.assert_array_equal(find_peaks(m, max_freq=1), [])
    # max_freq beyond the spectrum is clipped.
    np.testing.assert_array_equal(find_peaks(m, max_freq=10_000), [2, 9, 30])


def test_find_peaks_min_rel_height():
    m = np.array([0.0, 1.0, 0.0, 0.05, 0.0, 0.0005, 0.0, 0.0])
    np.testing.assert_array_equal(find_peaks(m), [1, 3])  # 0.0005 < 1e-3 * 1.0
    np.testing.assert_array_equal(find_peaks(m, min_rel_height=0.0), [1, 3, 5])
    np.testing.assert_array_equal(find_peaks(m, min_rel_height=0.1), [1])
    # The reference maximum is taken within the window, excluding k = 0.
    np.testing.assert_array_equal(find_peaks(m, max_freq=4, min_rel_height=0.1), [1])


def test_find_peaks_plateau_and_edges():
    # Plateau: only its first index qualifies; rising edge at the end is not interior.
    m = np.array([5.0, 1.0, 2.0, 2.0, 1.0, 3.0])
    np.testing.assert_array_equal(find_peaks(m), [2])
    # k = 1 can be a peak (compared against k = 0); k = 0 itself never is, whatever its size.
    np.testing.assert_array_equal(find_peaks(np.array([0.2, 1.0, 0.5, 0.2])), [1])
    np.testing.assert_array_equal(find_peaks(np.array([9.0, 1.0, 0.5, 0.2])), [])


# --- delta_f ----------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["complex", "magnitude"])
def test_delta_f_zero_when_equal(form):
    x = periodic_x(128)
    y_hat = spectrum(np.sin(x) + 0.3 * np.cos(5 * x))
    np.testing.assert_array_equal(delta_f(y_hat, y_hat, form=form)[[1, 5]], 0.0)


@pytest.mark.parametrize("form", ["complex", "magnitude"])
def test_delta_f_known_perturbation(form):
    x = periodic_x(256)
    amps = {2: 1.0, 6: 0.5}
    y = sum(a * np.sin(k * x) for k, a in amps.items())
    eps = 0.07
    h = y + eps * np.sin(6 * x)
    d = delta_f(spectrum(h), spectrum(y), form=form)
    np.testing.assert_allclose(d[6], eps / amps[6], atol=TOL)
    np.testing.assert_allclose(d[2], 0.0, atol=TOL)


def test_delta_f_phase_shift_complex_vs_magnitude():
    x = periodic_x(256)
    k, amp = 4, 1.3
    y_hat = spectrum(amp * np.sin(k * x))
    for phi in (0.1, 0.5, np.pi / 2, 2.0, np.pi):
        h_hat = spectrum(amp * np.sin(k * x + phi))
        expected = np.abs(1 - np.exp(1j * phi))  # = 2 |sin(phi / 2)|
        np.testing.assert_allclose(delta_f(h_hat, y_hat)[k], expected, atol=TOL)
        np.testing.assert_allclose(delta_f(h_hat, y_hat, form="magnitude")[k], 0.0, atol=TOL)


def test_delta_f_broadcasts_over_steps():
    y_hat = np.array([1.0 + 1.0j, 2.0, -0.5j])
    history = np.stack([y_hat * s for s in (0.0, 0.5, 1.0, 1.5)])  # (T, K)
    d = delta_f(history, y_hat)
    assert d.shape == (4, 3)
    np.testing.assert_allclose(d, np.repeat([[1.0], [0.5], [0.0], [0.5]], 3, axis=1), atol=TOL)
    np.testing.assert_allclose(delta_f(history, y_hat, form="magnitude"), d, atol=TOL)


def test_delta_f_zero_target_gives_inf_without_warning():
    with np.errstate(all="raise"):
        d = delta_f(np.array([1.0, 0.0]), np.array([0.0, 0.0]))
    assert np.isinf(d[0]) and np.isnan(d[1])


def test_delta_f_invalid_form():
    with pytest.raises(ValueError, match=r"complex.*magnitude"):
        delta_f(np.ones(3), np.ones(3), form="phase")


# --- convergence_steps ------------------------------------------------------------------------


def test_convergence_steps_hand_made():
    steps = np.array([0, 10, 20, 30, 40, 50])
    delta = np.array(
        [
            # converges   dips then rises   never   always below   only last below
            [0.9, 0.9, 0.9, 0.05, 0.9],
            [0.5, 0.05, 0.8, 0.05, 0.9],
            [0.09, 0.2, 0.7, 0.05, 0.9],
            [0.05, 0.05, 0.6, 0.05, 0.9],
            [0.02, 0.3, 0.5, 0.05, 0.9],
            [0.01, 0.01, 0.4, 0.05, 0.05],
        ]
    )
    out = convergence_steps(steps, delta, threshold=0.1)
    assert out.dtype == float and out.shape == (5,)
    np.testing.assert_array_equal(out, [20.0, 50.0, np.nan, 0.0, 50.0])


def test_convergence_steps_threshold_is_strict_and_nan_not_below():
    steps = np.array([1, 2, 3])
    delta = np.array([[0.05, 0.05], [0.1, np.nan], [0.05, 0.05]])
    np.testing.assert_array_equal(convergence_steps(steps, delta, 0.1), [3.0, 3.0])


def test_convergence_steps_shape_check():
    with pytest.raises(ValueError):
        convergence_steps(np.arange(3), np.zeros((4, 2)), 0.1)


def test_convergence_window():
    steps = np.array([0, 10, 20, 30, 40, 50])
    delta = np.array(
        [
            [0.9, 0.9, 0.9],
            [0.05, 0.9, 0.9],  # peak 0: a one-step dip at 10 ...
            [0.2, 0.05, 0.9],  # ... then rises; peak 1 below from 20 on
            [0.05, 0.05, 0.9],
            [0.05, 0.05, 0.9],
            [0.05, 0.2, 0.05],  # peak 1 rises at the end; peak 2 below only at the last step
        ]
    )
    np.testing.assert_array_equal(convergence_steps(steps, delta, 0.1, window=1), [10, 20, 50])
    np.testing.assert_array_equal(convergence_steps(steps, delta, 0.1, window=2), [30, 20, np.nan])
    np.testing.assert_array_equal(convergence_steps(steps, delta, 0.1, window=3), [30, 20, np.nan])
    np.testing.assert_array_equal(convergence_steps(steps, delta, 0.1, window=4), [np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(convergence_steps(steps, delta, 0.1), [30, np.nan, 50])  # to the end
    with pytest.raises(ValueError, match="window"):
        convergence_steps(steps, delta, 0.1, window=0)
