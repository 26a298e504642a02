"""Low-frequency ratio and ratio density function (XZ20, deep frequency principle).

For a target ``y`` (n, C) sampled at effective inputs ``x`` (n, d), the low-frequency ratio is

    LFR(k0) = sum_i |y_i^{low, delta}|^2 / sum_i |y_i|^2,   k0 = 1 / delta,

with ``y_low`` the normalised Gaussian smoothing of the filtering method (lecture notes eqs.
1.10-1.11, ``GaussianFilter``). It is the energy of ``y`` inside a ball of radius ~``k0`` in
Fourier space, a cumulative distribution over frequency; its derivative ``RDF = dLFR/dk0`` is the
energy density per frequency. For a classifier the target is the one-hot labels, and the
effective target of a learning component is (its input activations, one-hot labels).

**delta convention** (``delta_convention``): the paper's text says ``1/delta ~ k0`` with
``delta`` the Gaussian's standard deviation, while the authors' filter code uses
``exp(-|x - x'|^2 / (2 delta))`` with ``delta`` a variance. Both are offered, ``k0 = 1/delta``
in each:

* ``"std"`` (default): ``G = exp(-|x - x'|^2 k0^2 / 2)``. Smoothing multiplies the Fourier mode
  of angular frequency ``w`` by ``exp(-w^2 / (2 k0^2))``, so ``k0`` is a frequency: on a line
  ``sin(k pi x)`` has ``LFR = exp(-(k pi / k0)^2)`` and its RDF peaks at ``k0 = k pi sqrt(2/3)``,
  proportional to ``k``.
* ``"variance"`` (authors' code): ``G = exp(-|x - x'|^2 k0 / 2)``; ``k0`` here is the square of
  the std convention's (``LFR_variance(k0^2) = LFR_std(k0)``), a frequency squared.

**Effective-input normalisation** (``normalisation``): the kernel sees ``|x - x'| * k0`` only, so
the LFR of activations scaled by ``c`` at ``k0`` equals the unscaled one at ``c k0``: without a
fixed length unit, layers of different scale (or width) cannot be compared at the same ``k0``.
A learning component can absorb a global scale of its input into its first weights, so a global
scale is the one thing to fix, and only isotropically (per-feature standardisation would change
the geometry the learning component sees). ``"rms"`` (default) divides the inputs by their RMS
pairwise distance (``rms_pairwise_distance``): ``k0 = 1`` is then a filter as wide as the typical
distance between two samples, in every layer. RMS rather than the median distance because it is
exact in ``O(n d)`` (``sqrt(2 * total variance)``, no ``n^2`` pass, no sampling), and in high
dimension pairwise distances concentrate, so the two nearly agree. ``"none"`` keeps the inputs'
own unit (for synthetic inputs such as the 1-D demo, where the domain fixes the unit; on a
bounded interval the normalised kernel is one-sided near the ends, so the closed forms above
hold on a periodic domain, e.g. the interval embedded as a circle, as in the tests).

**Summaries** of "lower frequency": ``mean_frequency``, the RDF-weighted mean ``k0`` over the grid,
and ``frequency_quantile`` (``q = 1/2``: the ``k0`` where LFR crosses one half, the median of the
energy distribution). Compare them only on the same ``k0`` grid and normalisation. Note that the
constant (mean) part of ``y`` is frequency zero and sits below any grid: for balanced one-hot
labels of C classes ``LFR -> 1/C`` as ``k0 -> 0`` and ``LFR -> 1`` as ``k0 -> infinity``.

Cost: one ``O(n^2 d)`` distance pass plus ``O(n^2)`` exponentials and an ``n x n`` by
``n x (C+1)`` product per ``k0``. One evaluation per set of inputs, so the filter's
``"recompute"`` strategy is the default: the same time as caching distances, memory
``O(chunk x n)``. The filter runs where the inputs live (float32 on a GPU, float64 on the CPU).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .filtering import GaussianFilter

__all__ = [
    "DELTA_CONVENTIONS",
    "NORMALISATIONS",
    "FrequencyProfile",
    "frequency_profile",
    "frequency_quantile",
    "kernel_variances",
    "low_frequency_ratio",
    "mean_frequency",
    "ratio_density",
    "rms_pairwise_distance",
]

DELTA_CONVENTIONS = ("std", "variance")
NORMALISATIONS = ("rms", "none")


def rms_pairwise_distance(x) -> float:
    """``sqrt(mean_{i<j} |x_i - x_j|^2)`` of the rows of ``x`` (n, ...), flattened per sample.

    Equals ``sqrt(2 * sum_d var_d)`` with unbiased per-feature variances: ``O(n d)``, exact.
    """
    x = torch.as_tensor(x).detach()
    x = x.reshape(len(x), -1)
    if len(x) < 2:
        raise ValueError(f"need at least 2 samples for a pairwise distance, got {len(x)}")
    if not x.is_floating_point():
        x = x.double()
    return float(torch.sqrt(2 * x.var(dim=0).double().sum()))


def kernel_variances(k0, delta_convention: str = "std", length_scale: float = 1.0) -> np.ndarray:
    """The ``GaussianFilter`` deltas (kernel variances, in the inputs' own unit) for frequencies
    ``k0`` in the unit ``length_scale``: std ``(length_scale / k0)^2``, variance
    ``length_scale^2 / k0``."""
    k0 = np.asarray(k0, dtype=np.float64)
    if delta_convention == "std":
        return (length_scale / k0) ** 2
    if delta_convention == "variance":
        return length_scale**2 / k0
    raise ValueError(f"delta_convention must be one of {DELTA_CONVENTIONS}, got {delta_convention!r}")


def _frequency_grid(k0) -> np.ndarray:
    k0 = np.asarray(k0, dtype=np.float64)
    if k0.ndim != 1 or len(k0) < 2 or not np.all(k0 > 0) or not np.all(np.diff(k0) > 0):
        raise ValueError("k0 must be a 1-D, strictly increasing grid of at least 2 positive values")
    return k0


def low_frequency_ratio(
    inputs,
    target,
    k0,
    delta_convention: str = "std",
    normalisation: str = "rms",
    **filter_options,
) -> np.ndarray:
    """``LFR(k0)`` for each ``k0`` of the grid, of ``target`` (n,) or (n, C) at ``inputs`` (n, ...).

    ``filter_options`` go to ``GaussianFilter`` (``memory_budget``, ``chunk_size``, ``device``,
    ``dtype``; ``strategy`` defaults to ``"recompute"``: one evaluation, least memory).
    """
    k0 = _frequency_grid(k0)
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")
    scale = 1.0
    if normalisation == "rms":
        scale = rms_pairwise_distance(inputs)
        if scale == 0:
            raise ValueError("all effective inputs are equal: their RMS pairwise distance is 0")
    variances = kernel_variances(k0, delta_convention, scale)
    filter_options.setdefault("strategy", "recompute")
    filt = GaussianFilter(inputs, variances.tolist(), **filter_options)
    target = torch.as_tensor(target).detach()
    total = target.to(torch.float64).square().sum().item()
    if total == 0:
        raise ValueError("the target has no energy: LFR is 0/0")
    low = filt.low_pass_energy(target)
    return np.array([low[v] for v in filt.deltas]) / total


def ratio_density(k0, lfr) -> np.ndarray:
    """``RDF = dLFR/dk0`` on the grid: ``numpy.gradient`` (second-order central differences on a
    non-uniform grid, second-order one-sided at both ends), so ``trapezoid(RDF, k0)`` recovers
    ``LFR(k0[-1]) - LFR(k0[0])`` to ``O(h^2)``. The normalised filter need not make LFR monotone,
    so the RDF may dip below zero."""
    return np.gradient(np.asarray(lfr, dtype=np.float64), _frequency_grid(k0), edge_order=2)


def mean_frequency(k0, rdf) -> float:
    """RDF-weighted mean ``k0`` over the grid (trapezoid rule): where the energy between the
    grid's ends sits on average."""
    k0, rdf = _frequency_grid(k0), np.asarray(rdf, dtype=np.float64)
    return float(np.trapezoid(k0 * rdf, k0) / np.trapezoid(rdf, k0))


def frequency_quantile(k0, lfr, q: float = 0.5) -> float:
    """The ``k0`` where LFR (a cumulative energy distribution) first reaches ``q``, linearly
    interpolated between grid points; NaN if it does not cross ``q`` inside the grid (widen it)."""
    k0, lfr = _frequency_grid(k0), np.asarray(lfr, dtype=np.float64)
    above = np.flatnonzero(lfr >= q)
    if len(above) == 0 or above[0] == 0:
        return float("nan")
    i = above[0]
    return float(k0[i - 1] + (q - lfr[i - 1]) * (k0[i] - k0[i - 1]) / (lfr[i] - lfr[i - 1]))


@dataclass(frozen=True)
class FrequencyProfile:
    """LFR and RDF of one effective target on a ``k0`` grid, with its two summaries."""

    k0: np.ndarray
    lfr: np.ndarray
    rdf: np.ndarray
    mean_frequency: float
    median_frequency: float


def frequency_profile(inputs, target, k0, **options) -> FrequencyProfile:
    """``low_frequency_ratio`` (same ``options``), its RDF, RDF-weighted mean and median ``k0``."""
    k0 = _frequency_grid(k0)
    lfr = low_frequency_ratio(inputs, target, k0, **options)
    rdf = ratio_density(k0, lfr)
    return FrequencyProfile(k0, lfr, rdf, mean_frequency(k0, rdf), frequency_quantile(k0, lfr, 0.5))
