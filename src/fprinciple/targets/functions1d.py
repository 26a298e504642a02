"""1-D targets of the F-Principle experiments (lecture notes §1.3)."""

from __future__ import annotations

import numpy as np

TARGET_KINDS = ("sines", "periodic_step")


def sines(x: np.ndarray, frequencies, amplitudes=None) -> np.ndarray:
    """Σ_i a_i sin(k_i x): sin x + sin 5x (lecture notes fig. 1.3), sin x + sin 3x + sin 5x (fig. 1.6)."""
    amplitudes = np.ones(len(frequencies)) if amplitudes is None else amplitudes
    return sum(a * np.sin(k * x) for k, a in zip(frequencies, amplitudes, strict=True))


def periodic_step(x: np.ndarray, period: float, levels=(-1.0, 0.0, 1.0)) -> np.ndarray:
    """A periodic staircase taking only len(levels) values, one per equal part of the period.

    With three equally spaced levels it mimics a 3-class label (lecture notes fig. 1.4); its Fourier series has
    |c_n| = 3/(2πn) at harmonics n of the fundamental that are not multiples of 3, so the
    peaks fall off with frequency.
    """
    phase = np.mod(x - x.min(), period) / period
    index = np.minimum((phase * len(levels)).astype(int), len(levels) - 1)
    return np.asarray(levels, dtype=float)[index]


def make_target(x: np.ndarray, spec: dict) -> np.ndarray:
    """Evaluate the target described by a config block {kind: ..., ...} (its defaults filled in by
    ``fprinciple.config``) on the grid x."""
    kind = spec["kind"]
    if kind == "sines":
        return sines(x, spec["frequencies"], spec.get("amplitudes"))  # none: every amplitude 1
    if kind == "periodic_step":
        return periodic_step(x, spec["period"], spec["levels"])
    raise ValueError(f"unknown target kind {kind!r}; allowed: {list(TARGET_KINDS)}")
