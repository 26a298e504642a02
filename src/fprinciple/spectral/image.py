"""Radial low/high-frequency split of images (fp_image experiment).

A network fitted to an image (pixel coordinates -> grey level) should capture the coarse
structure first; this is measured by splitting target and output with an ideal radial mask in
the 2-D Fourier domain and tracking the relative error of each part, as eqs. 1.12-1.13 do for
the Gaussian filter.

``cutoff`` is a fraction of the Nyquist radius: the mode with ``kx`` cycles across the ``W``
columns and ``ky`` cycles across the ``H`` rows has radius ``sqrt((2 kx / W)^2 + (2 ky / H)^2)``
and is low-frequency when that radius is ``<= cutoff``. Measuring in cycles per pixel rather
than cycles per image keeps the split isotropic for non-square images and comparable across
resolutions; ``cutoff = 1`` is the inscribed Nyquist circle, ``sqrt(2)`` keeps everything.
"""

from __future__ import annotations

import numpy as np

__all__ = ["radial_mask", "radial_split", "radial_errors"]


def radial_mask(shape: tuple[int, int], cutoff: float) -> np.ndarray:
    """Boolean low-pass mask on the ``rfft2`` grid of an ``(H, W)`` image."""
    h, w = shape
    fy = np.fft.fftfreq(h)[:, None] / 0.5  # fractions of Nyquist (0.5 cycles per pixel)
    fx = np.fft.rfftfreq(w)[None, :] / 0.5
    return np.hypot(fy, fx) <= cutoff


def radial_split(image: np.ndarray, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)`` parts of ``image`` (..., H, W), with ``low + high == image``.

    The mask depends only on ``|k|``, hence is symmetric under ``k -> -k`` and both parts are
    real; ``rfft2`` exploits that.
    """
    image = np.asarray(image, dtype=np.float64)
    shape = image.shape[-2:]
    low = np.fft.irfft2(np.fft.rfft2(image) * radial_mask(shape, cutoff), s=shape)
    return low, image - low


def radial_errors(target: np.ndarray, output: np.ndarray, cutoff: float) -> tuple[float, float]:
    """``(e_low, e_high)``: ``||t_low - o_low|| / ||t_low||`` and likewise for the high parts.

    The split is linear, so only the target and the difference need transforming.
    """
    target = np.asarray(target, dtype=np.float64)
    t_low, t_high = radial_split(target, cutoff)
    d_low, d_high = radial_split(target - np.asarray(output, dtype=np.float64), cutoff)
    return (
        float(np.linalg.norm(d_low) / np.linalg.norm(t_low)),
        float(np.linalg.norm(d_high) / np.linalg.norm(t_high)),
    )
