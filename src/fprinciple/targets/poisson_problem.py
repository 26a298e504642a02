"""The 1-D Poisson problem of fp_poisson (XZLXM19): −u'' = g on [−1, 1], u(±1) = 0; torch-free, so that
the analysis side (claims, figures) reads it too (the DNN's losses are ``targets.poisson``).

The exact solution is a sine series ``u = Σ_k a_k sin(kπx)`` with integer k, so it satisfies the
boundary conditions exactly (the paper's sin x + sin 4x/4 − sin 8x/8 + sin 24x/36 does not: it
is ≈ ±0.5 at x = ±1), and ``g = −u'' = Σ_k a_k (kπ)² sin(kπx)``. Each sin(kπx) is also an exact
eigenvector of the finite-difference Laplacian on the grid below, which makes the discrete
solution and Jacobi's per-mode behaviour known in closed form (``theory.jacobi``).

The grid has N interior points ``x_i = −1 + i h``, i = 1..N, spacing ``h = 2 / (N + 1)``; the
boundary values are not unknowns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOW, HIGH = -1.0, 1.0


@dataclass(frozen=True)
class SineSeriesPoisson:
    """−u'' = g with exact solution Σ a_k sin(kπx); wavenumbers k are positive integers."""

    wavenumbers: tuple[int, ...]
    amplitudes: tuple[float, ...]

    def __post_init__(self):
        if len(self.wavenumbers) != len(self.amplitudes):
            raise ValueError("wavenumbers and amplitudes must have the same length")
        if any(int(k) != k or k < 1 for k in self.wavenumbers):
            raise ValueError(f"wavenumbers must be positive integers (sin(kπx) vanishes at ±1), got {self.wavenumbers}")

    def solution(self, x: np.ndarray) -> np.ndarray:
        return sum(a * np.sin(k * np.pi * x) for k, a in zip(self.wavenumbers, self.amplitudes))

    def forcing(self, x: np.ndarray) -> np.ndarray:
        """g = −u''."""
        return sum(a * (k * np.pi) ** 2 * np.sin(k * np.pi * x) for k, a in zip(self.wavenumbers, self.amplitudes))


def make_problem(spec: dict) -> SineSeriesPoisson:
    """From a config block {wavenumbers: [...], amplitudes: [...]}."""
    return SineSeriesPoisson(tuple(int(k) for k in spec["wavenumbers"]), tuple(float(a) for a in spec["amplitudes"]))


def interior_grid(n_interior: int) -> tuple[np.ndarray, float]:
    """The N interior points of the uniform grid on [−1, 1] and its spacing h = 2 / (N + 1)."""
    if n_interior < 1:
        raise ValueError(f"n_interior must be >= 1, got {n_interior}")
    h = (HIGH - LOW) / (n_interior + 1)
    return LOW + h * np.arange(1, n_interior + 1), h


def closed_grid(n_interior: int) -> np.ndarray:
    """The interior grid with its two boundary points −1 and 1: N + 2 points, spacing h."""
    x, _ = interior_grid(n_interior)
    return np.concatenate([[LOW], x, [HIGH]])
