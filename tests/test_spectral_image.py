"""Radial 2-D FFT split of images into low- and high-frequency parts."""

from __future__ import annotations

import numpy as np
import pytest

from fprinciple.spectral.image import radial_errors, radial_split


def cosine_image(shape, ky, kx, phase=0.3):
    """``ky`` cycles down the rows and ``kx`` across the columns."""
    rows, cols = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    return np.cos(2 * np.pi * (ky * rows / shape[0] + kx * cols / shape[1]) + phase)


@pytest.mark.parametrize("shape", [(32, 32), (31, 48)])
def test_parts_sum_to_image(shape):
    image = np.random.default_rng(0).random(shape)
    low, high = radial_split(image, 0.3)
    assert low.shape == high.shape == shape and low.dtype == np.float64
    np.testing.assert_allclose(low + high, image, atol=1e-14)


@pytest.mark.parametrize("shape", [(64, 64), (40, 64)])
def test_cosines_fall_on_the_right_side_of_the_cutoff(shape):
    # Radius as a fraction of Nyquist: sqrt((2 ky / H)^2 + (2 kx / W)^2).
    slow = cosine_image(shape, 1, 2)  # radius <= 0.1
    fast = cosine_image(shape, 9, 20)  # radius >= 0.68
    low, high = radial_split(slow, 0.25)
    np.testing.assert_allclose(low, slow, atol=1e-12)
    np.testing.assert_allclose(high, 0, atol=1e-12)
    low, high = radial_split(fast, 0.25)
    np.testing.assert_allclose(low, 0, atol=1e-12)
    np.testing.assert_allclose(high, fast, atol=1e-12)


def test_cutoff_boundary_is_inclusive_and_isotropic():
    shape = (64, 32)
    along_rows, along_cols = cosine_image(shape, 8, 0), cosine_image(shape, 0, 4)  # both radius 0.25
    for image in (along_rows, along_cols):
        np.testing.assert_allclose(radial_split(image, 0.25)[0], image, atol=1e-12)
        np.testing.assert_allclose(radial_split(image, 0.24)[1], image, atol=1e-12)


def test_batch_of_images_split_independently():
    images = np.random.default_rng(1).random((3, 16, 20))
    low, _ = radial_split(images, 0.4)
    for i in range(3):
        np.testing.assert_allclose(low[i], radial_split(images[i], 0.4)[0], atol=1e-14)


def test_radial_errors_closed_forms():
    shape = (48, 48)
    target = cosine_image(shape, 1, 1) + 0.5 * cosine_image(shape, 12, 10, phase=1.0)
    assert radial_errors(target, target, 0.2) == (0.0, 0.0)
    # A purely high-frequency error leaves e_low at 0; its size relative to the high part is known.
    noise = 0.1 * cosine_image(shape, 15, 3)
    e_low, e_high = radial_errors(target, target + noise, 0.2)
    assert e_low == pytest.approx(0, abs=1e-12)
    assert e_high == pytest.approx(
        np.linalg.norm(noise) / np.linalg.norm(0.5 * cosine_image(shape, 12, 10, 1.0))
    )
    # The network of the F-Principle: right coarse structure, no detail -> e_low = 0, e_high = 1.
    assert radial_errors(target, cosine_image(shape, 1, 1), 0.2) == pytest.approx((0, 1), abs=1e-12)
