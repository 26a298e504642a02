"""Radial 2-D Fourier bands of images, against images of known sinusoids."""

from __future__ import annotations

import numpy as np
import pytest

from fprinciple.spectral.image import band_errors, radii

EDGES = [1 / 16, 1 / 8, 1 / 4]  # octaves up to a quarter of Nyquist


def cosine_image(shape, ky, kx, phase=0.3):
    """``ky`` cycles down the rows and ``kx`` across the columns."""
    rows, cols = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    return np.cos(2 * np.pi * (ky * rows / shape[0] + kx * cols / shape[1]) + phase)


def test_radius_is_a_fraction_of_nyquist_and_isotropic():
    radius = radii((64, 32))
    assert radius[0, 0] == 0 and radius[8, 0] == pytest.approx(0.25) and radius[0, 4] == pytest.approx(0.25)
    assert radius[32, 16] == pytest.approx(np.sqrt(2))  # the corner of the spectrum
    assert radius[-8, 0] == radius[8, 0]  # negative frequencies alike


@pytest.mark.parametrize("shape", [(64, 64), (64, 48)])
def test_each_sinusoid_lands_in_its_own_band(shape):
    # radii (fractions of Nyquist): 2·sqrt((ky/H)² + (kx/W)²)
    h, w = shape
    waves = [cosine_image(shape, 1, 0), cosine_image(shape, 0, w // 16, 1.0), cosine_image(shape, h // 8 - 1, 1, 2.0)]
    target = 1.0 * waves[0] + 0.5 * waves[1] + 0.25 * waves[2]
    assert [int(np.digitize(radii(shape)[k], EDGES, right=True)) for k in [(1, 0), (0, w // 16), (h // 8 - 1, 1)]] == [
        0,
        1,
        2,
    ]
    np.testing.assert_allclose(band_errors(target, target, EDGES), 0, atol=1e-12)
    # Drop one wave: its band's error is 1, the others' 0; a wave fitted at 80% leaves 0.2 of it.
    for dropped in range(3):
        expected = np.eye(3)[dropped]
        output = target - [1.0, 0.5, 0.25][dropped] * waves[dropped]
        np.testing.assert_allclose(band_errors(target, output, EDGES), expected, atol=1e-12)
    output = target - 0.2 * 0.25 * waves[2]
    np.testing.assert_allclose(band_errors(target, output, EDGES), [0, 0, 0.2], atol=1e-12)


def test_mean_and_modes_beyond_the_last_edge_count_in_no_band():
    shape = (32, 32)
    target = 0.7 + cosine_image(shape, 1, 0) + cosine_image(shape, 0, 2) + cosine_image(shape, 3, 0)
    assert band_errors(target, target + 0.3, EDGES) == pytest.approx([0, 0, 0], abs=1e-12)  # an offset is no error
    assert band_errors(target, np.full(shape, target.mean()), EDGES) == pytest.approx(
        [1, 1, 1]
    )  # the mean fits nothing
    fine = 0.4 * cosine_image(shape, 12, 9)  # radius 0.94, above the last edge
    assert band_errors(target, target + fine, EDGES) == pytest.approx([0, 0, 0], abs=1e-12)


def test_upper_edge_is_inclusive():
    shape = (64, 32)
    waves = [cosine_image(shape, 0, 1), cosine_image(shape, 0, 2), cosine_image(shape, 8, 0)]  # radius 1/16, 1/8, 1/4
    target = sum(waves)
    assert band_errors(target, target - waves[2], [1 / 16, 1 / 8, 1 / 4]) == pytest.approx([0, 0, 1], abs=1e-12)
    assert band_errors(target, target - waves[2], [1 / 16, 0.24]) == pytest.approx([0, 0], abs=1e-12)  # beyond 0.24


def test_error_norm_matches_the_pixel_domain():
    """Parseval: a band's error equals the pixel-domain norm of its band-passed parts."""
    rng = np.random.default_rng(0)
    target, output = rng.random((24, 40)), rng.random((24, 40))
    radius = radii(target.shape)
    ring = (radius > EDGES[0]) & (radius <= EDGES[1])

    def passed(image):
        return np.fft.ifft2(np.fft.fft2(image) * ring).real

    expected = np.linalg.norm(passed(target - output)) / np.linalg.norm(passed(target))
    assert band_errors(target, output, EDGES)[1] == pytest.approx(expected, rel=1e-12)
