"""DFT on a uniform 1-D grid, spectral peaks, per-frequency relative error and convergence steps.

Conventions
-----------
Inputs live on a uniform grid of ``N`` points; the DFT is eq. (1.3) of Xu et al.,
``F[a](k) = sum_j a_j exp(-2 pi i k j / N)``, here divided by ``N`` and kept one-sided
(``k = 0 .. N // 2``, real inputs make the other half redundant).

Frequency index ``k`` on a grid of ``N`` points spanning length ``L`` (``L = N * dx``, i.e. the
period of the grid, not ``high - low`` of a grid that includes its endpoint) corresponds to
angular frequency ``2 pi k / L``. On the periodic grid ``uniform_grid(N, -pi, pi, endpoint=False)``
we have ``L = 2 pi``, so index ``k`` is exactly ``sin(k x)`` / ``cos(k x)`` and a pure tone of
amplitude ``A`` (``0 < k < N/2``) gives ``|y_hat_k| = A / 2`` with no leakage into other indices.

Relative error at frequency ``k`` (``delta_f``):

* ``"complex"`` (the paper's formula, default): ``|h_hat_k - y_hat_k| / |y_hat_k|``; sensitive to phase.
* ``"magnitude"`` (authors' code): ``||h_hat_k| - |y_hat_k|| / |y_hat_k|``; blind to phase.

Both are ratios, so the ``1/N`` normalisation of ``spectrum`` cancels out.
"""

from __future__ import annotations

import numpy as np

__all__ = ["uniform_grid", "spectrum", "find_peaks", "delta_f", "convergence_steps"]

DELTA_F_FORMS = ("complex", "magnitude")

# Maxima at or below this fraction of the largest coefficient (k = 0 included) are FFT round-off,
# not signal: e.g. a constant on a non-power-of-two grid leaves ~1e-17 noise at k >= 1, which a
# threshold relative to max(m[1:]) alone would report as peaks.
_ROUNDOFF_RTOL = 1e-10


def uniform_grid(n: int, low: float, high: float, endpoint: bool = True) -> np.ndarray:
    """``n`` equally spaced points on ``[low, high]`` (or ``[low, high)`` when ``endpoint=False``).

    Use ``endpoint=False`` for a periodic grid: then ``sin(k x)`` on ``[-pi, pi)`` has its DFT
    peak exactly at index ``k`` with no leakage.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return np.linspace(low, high, n, endpoint=endpoint)


def spectrum(values: np.ndarray) -> np.ndarray:
    """Complex one-sided DFT along the last axis, ``(1/N) sum_j a_j e^{-2 pi i k j / N}``, k = 0..N//2.

    Dividing by ``N`` makes magnitudes grid-size independent: a unit-amplitude sine on a periodic
    grid has ``|y_hat_k| = 1/2``. Leading axes are a batch (e.g. one row per logged step).
    """
    values = np.asarray(values)
    n = values.shape[-1]
    return np.fft.rfft(values, axis=-1) / n


def find_peaks(magnitude: np.ndarray, max_freq: int | None = None, min_rel_height: float = 1e-3) -> np.ndarray:
    """Indices of interior local maxima of a 1-D magnitude spectrum among ``k = 1 .. max_freq``.

    ``k = 0`` and the last index considered (``max_freq``, default ``len - 1``) have only one
    neighbour inside the window, so they are never peaks. A peak needs ``m[k] > m[k-1]`` and
    ``m[k] >= m[k+1]`` (the strict left side picks one index on a plateau). Maxima below
    ``min_rel_height * max(m[1:max_freq + 1])`` are dropped as numerical noise, as are maxima
    at round-off level relative to the whole spectrum (see ``_ROUNDOFF_RTOL``).
    """
    m = np.asarray(magnitude, dtype=float)
    if m.ndim != 1:
        raise ValueError(f"magnitude must be 1-D, got shape {m.shape}")
    last = m.size - 1 if max_freq is None else min(int(max_freq), m.size - 1)
    if last < 2:  # no interior index in 1..last
        return np.zeros(0, dtype=int)
    window = m[: last + 1]
    k = np.arange(1, last)
    is_max = (window[k] > window[k - 1]) & (window[k] >= window[k + 1])
    floor = max(min_rel_height * window[1:].max(), _ROUNDOFF_RTOL * np.abs(m).max())
    keep = is_max & (window[k] >= floor)
    return k[keep].astype(int)


def delta_f(output_hat: np.ndarray, target_hat: np.ndarray, form: str = "complex") -> np.ndarray:
    """Elementwise relative error of the output spectrum against the target spectrum.

    ``form="complex"``: ``|h - y| / |y|`` (the paper's formula; a phase error counts).
    ``form="magnitude"``: ``||h| - |y|| / |y|`` (authors' code; phase ignored).
    Inputs broadcast. Where ``|y| = 0`` the result is ``inf`` (or ``nan`` if the numerator is also
    0), without warnings: callers evaluate at peaks, where ``|y| > 0``.
    """
    if form not in DELTA_F_FORMS:
        raise ValueError(f"form must be one of {DELTA_F_FORMS}, got {form!r}")
    h = np.asarray(output_hat)
    y = np.asarray(target_hat)
    if form == "complex":
        num = np.abs(h - y)
    else:
        num = np.abs(np.abs(h) - np.abs(y))
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / np.abs(y)


def convergence_steps(steps: np.ndarray, delta: np.ndarray, threshold: float, window: int | None = None) -> np.ndarray:
    """The logged step at which each peak's ``delta`` converges below ``threshold``.

    ``steps``: shape ``(T,)``, increasing. ``delta``: shape ``(T, P)``, the ΔF history of ``P``
    peaks. Returns a float array of shape ``(P,)``, ``nan`` where the peak never converges.

    Converged at step ``t`` means: ``delta`` is below the threshold at ``t`` and at the next
    ``window - 1`` logged steps, ``window`` consecutive logged values in all (``window=None``: at
    every later logged step, to the end of the run). A transient dip shorter than the window
    does not count; ``window=1`` is "the first step below", a heat map read by eye. ``nan`` in
    ``delta`` counts as not below, and a run that ends before a window is complete has not
    converged in it.
    """
    steps = np.asarray(steps, dtype=float)
    delta = np.asarray(delta, dtype=float)
    if steps.ndim != 1 or delta.ndim != 2 or delta.shape[0] != steps.shape[0]:
        raise ValueError(f"expected steps (T,) and delta (T, P); got {steps.shape} and {delta.shape}")
    if window is not None and window < 1:
        raise ValueError(f"window must be a positive number of logged steps or None, got {window}")
    t_count, p_count = delta.shape
    below = delta < threshold
    # run[t, p]: how many consecutive logged values are below from t on (to the end if all are).
    run = np.zeros((t_count + 1, p_count), dtype=int)
    for t in range(t_count - 1, -1, -1):
        run[t] = np.where(below[t], run[t + 1] + 1, 0)
    need = (t_count - np.arange(t_count))[:, None] if window is None else np.full((t_count, 1), window)
    ok = run[:t_count] >= need
    out = np.full(p_count, np.nan)
    found = ok.any(axis=0)
    out[found] = steps[np.argmax(ok, axis=0)[found]]
    return out
