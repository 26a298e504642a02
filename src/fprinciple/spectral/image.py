"""Radial frequency bands of images (fp_image experiment).

A network fitted to an image (pixel coordinates -> grey level) should capture the coarse
structure first and the finest detail last; this is measured by cutting the 2-D Fourier domain
into rings and tracking the relative error of each ring, as eqs. 1.12-1.13 do for the Gaussian
filter's low and high parts.

Radii are fractions of the Nyquist radius: the mode with ``kx`` cycles across the ``W`` columns
and ``ky`` cycles across the ``H`` rows has radius ``sqrt((2 kx / W)^2 + (2 ky / H)^2)``.
Measuring in cycles per pixel rather than cycles per image keeps the rings isotropic for
non-square images and comparable across resolutions; ``1`` is the inscribed Nyquist circle,
``sqrt(2)`` the corner of the spectrum.
"""

from __future__ import annotations

import numpy as np

__all__ = ["radii", "band_errors"]


def radii(shape: tuple[int, int]) -> np.ndarray:
    """Radius of every mode of the ``fft2`` grid of an ``(H, W)`` image, in fractions of Nyquist."""
    h, w = shape
    return np.hypot(np.fft.fftfreq(h)[:, None] / 0.5, np.fft.fftfreq(w)[None, :] / 0.5)


def band_errors(target: np.ndarray, output: np.ndarray, edges) -> np.ndarray:
    """Relative error of ``output`` in each ring: ``||(target - output)_b|| / ||target_b||``.

    Band ``b`` holds the modes with ``edges[b-1] < radius <= edges[b]`` (``edges`` increasing,
    the first band starting just above 0), so the image mean (radius 0) is in no band: a
    constant offset is no error and a constant output fits nothing. By Parseval the norms are
    sums over the band's Fourier coefficients; every band must hold some of the target.
    """
    target = np.asarray(target, dtype=np.float64)
    radius = radii(target.shape)
    band = np.digitize(radius, np.asarray(edges, dtype=np.float64), right=True)  # 0: radius <= edges[0]
    band[radius == 0] = -1
    inside = (band >= 0) & (band < len(edges))
    power = [np.abs(np.fft.fft2(image)) ** 2 for image in (target, target - np.asarray(output, dtype=np.float64))]
    sums = [np.bincount(band[inside], weights=p[inside], minlength=len(edges)) for p in power]
    return np.sqrt(sums[1] / sums[0])
