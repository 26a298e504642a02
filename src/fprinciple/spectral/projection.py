"""Projection method for high-dimensional inputs (Xu et al., section 1.5.4, eq. 1.6).

A full DFT over a ``d``-dimensional input space is unaffordable and the training points are
scattered, so the spectrum is examined along one direction only: the inputs are projected on
the first principal component ``p`` of the training inputs, ``v_i = p . x_i``, and the
non-uniform DFT

    y_hat(k) = (1/n) sum_i y_i exp(-i 2 pi k v_i)

is evaluated on a chosen grid of frequencies ``k`` (cycles per unit of ``v``). The ``1/n``
matches ``spectrum`` in ``dft.py``: a tone ``cos(2 pi k0 v)`` with ``v`` spread uniformly over
whole periods gives ``|y_hat(+-k0)| ~ 1/2``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg

from .dft import DELTA_F_FORMS, find_peaks

__all__ = [
    "first_principal_component",
    "project",
    "nudft",
    "projected_dft",
    "peak_frequencies",
    "grid_maxima",
    "vector_delta_f",
]

# Default cap on the (chunk of frequencies) x (samples) phase matrix: 2**22 complex128 = 64 MiB.
_MAX_PHASE_ENTRIES = 2**22


def first_principal_component(x: np.ndarray) -> np.ndarray:
    """Unit vector along which the centred inputs ``x`` (n, ...) vary most.

    The top right singular vector of the centred ``n x d`` data by ARPACK's Lanczos iteration
    (``scipy.sparse.linalg.svds``, from a fixed start): ``O(n d)`` per iteration, where the full
    eigendecomposition of the ``d x d`` scatter matrix (``O(n d^2 + d^3)``) took 90 s on CIFAR-10's
    50000 x 3072 to keep one vector. Data of fewer than 3 features or samples, too small for
    ARPACK, use that decomposition. A principal direction is only defined up to sign, so the sign
    is fixed (largest-magnitude entry positive) to make spectra reproducible across runs.
    """
    xc = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    xc = xc - xc.mean(axis=0)
    if min(xc.shape) < 3:
        p = np.linalg.eigh(xc.T @ xc)[1][:, -1]  # eigenvalues ascending
    else:
        start = np.random.default_rng(0).standard_normal(min(xc.shape))
        p = scipy.sparse.linalg.svds(xc, k=1, v0=start)[2][0]
    return p if p[np.argmax(np.abs(p))] > 0 else -p


def project(x: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Coordinates ``v_i = direction . x_i`` of the (flattened) inputs along ``direction``."""
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), -1) @ np.asarray(direction, dtype=np.float64).ravel()


def nudft(
    values: np.ndarray,
    positions: np.ndarray,
    freqs: np.ndarray,
    chunk_size: int | None = None,
) -> np.ndarray:
    """Non-uniform DFT ``(1/n) sum_i values_i exp(-2 pi i f v_i)`` for every ``f`` in ``freqs``.

    ``values`` is (n,) or (n, C); columns (output coordinates) are transformed independently and
    the result is (len(freqs),) or (len(freqs), C), complex. The phase matrix is built for
    ``chunk_size`` frequencies at a time (default: as many as keep it within 64 MiB), so memory
    is bounded whatever the number of frequencies.
    """
    values = np.asarray(values)
    positions = np.asarray(positions, dtype=np.float64).ravel()
    freqs = np.asarray(freqs, dtype=np.float64).ravel()
    n = len(positions)
    if values.shape[0] != n:
        raise ValueError(f"values has {values.shape[0]} rows but there are {n} positions")
    if chunk_size is None:
        chunk_size = max(1, _MAX_PHASE_ENTRIES // max(n, 1))
    weights = values.astype(np.complex128) / n
    out = np.empty((len(freqs),) + values.shape[1:], dtype=np.complex128)
    for start in range(0, len(freqs), chunk_size):
        block = freqs[start : start + chunk_size]
        out[start : start + len(block)] = np.exp(-2j * np.pi * np.outer(block, positions)) @ weights
    return out


def projected_dft(
    x: np.ndarray,
    y: np.ndarray,
    freqs: np.ndarray,
    direction: np.ndarray | None = None,
) -> np.ndarray:
    """Eq. 1.6 end to end: NUDFT of ``y`` along ``direction`` (default: PC1 of ``x``).

    Pass the training set's direction explicitly when comparing target and network output, or
    spectra taken on different sets, so that all are measured along the same line.
    """
    if direction is None:
        direction = first_principal_component(x)
    return nudft(y, project(x, direction), freqs)


def peak_frequencies(
    freqs: np.ndarray,
    magnitude: np.ndarray,
    n_peaks: int | None = None,
    min_separation: float = 0.0,
    min_rel_height: float = 1e-3,
) -> np.ndarray:
    """The lowest interior local maxima of ``magnitude`` sampled on the increasing grid ``freqs``.

    Maxima are those of ``dft.find_peaks`` (grid index instead of DFT index). Scattered samples
    blur a spectrum over about ``1 / (max v - min v)``, so two maxima closer than that are one
    feature: going up in frequency, a maximum within ``min_separation`` of the last one kept is
    skipped. Returns at most ``n_peaks`` frequencies (all if None).
    """
    freqs = np.asarray(freqs, dtype=float)
    kept: list[float] = []
    for index in find_peaks(magnitude, min_rel_height=min_rel_height):
        if kept and freqs[index] - kept[-1] < min_separation:
            continue
        kept.append(freqs[index])
    return np.asarray(kept[:n_peaks])


def grid_maxima(magnitude: np.ndarray) -> np.ndarray:
    """Indices of the local maxima of ``magnitude`` sampled on a grid, in increasing order: an
    interior point above both neighbours, an end point above its one neighbour. The rule of the
    authors' projection notebook, whose grid starts at k = 0: there the end point k = 0 of an
    uncentred label spectrum (the class share) is its first peak."""
    m = np.asarray(magnitude, dtype=float)
    if m.ndim != 1 or m.size < 2:
        raise ValueError(f"magnitude must be 1-D with at least 2 points, got shape {m.shape}")
    interior = np.flatnonzero((m[1:-1] > m[:-2]) & (m[1:-1] > m[2:])) + 1
    first = [0] if m[0] > m[1] else []
    last = [m.size - 1] if m[-1] > m[-2] else []
    return np.concatenate([first, interior, last]).astype(int)


def vector_delta_f(output_hat: np.ndarray, target_hat: np.ndarray, form: str = "complex") -> np.ndarray:
    """ΔF of a vector-valued function (e.g. 10 class outputs), norms taken over the last axis.

    ``form="complex"``: ``||h - y|| / ||y||``; ``form="magnitude"``: ``|| |h| - |y| || / ||y||``
    (elementwise moduli, phase ignored). With one coordinate both equal ``dft.delta_f``.
    """
    if form not in DELTA_F_FORMS:
        raise ValueError(f"form must be one of {DELTA_F_FORMS}, got {form!r}")
    h, y = np.asarray(output_hat), np.asarray(target_hat)
    error = h - y if form == "complex" else np.abs(h) - np.abs(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.linalg.norm(error, axis=-1) / np.linalg.norm(y, axis=-1)
