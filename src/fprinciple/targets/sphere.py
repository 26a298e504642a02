"""Data on the circle S¹ and the sphere S², and the pure-frequency targets of Basri et al. (BJKK19).

On S^{d-1} the eigenfunctions of the two-layer ReLU NTK are the spherical harmonics (BJKK19):
sin(kθ) on the circle, the zonal harmonic P_k(⟨x, pole⟩) on S². A target of one frequency is
therefore one eigenvector, and its learning time measures one eigenvalue. Targets are scaled to
unit Euclidean norm over the sample, as in the authors' code, so ½‖y‖² = ½ and one loss threshold
means the same thing at every k.
"""

from __future__ import annotations

import numpy as np
from scipy.special import eval_legendre

POINT_KINDS = ("uniform", "even")


def circle_angles(n: int, kind: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """θ in [-π, π): i.i.d. uniform (authors' random samples) or n evenly spaced angles."""
    if kind == "uniform":
        return rng.uniform(-np.pi, np.pi, n)
    if kind == "even":
        return np.linspace(-np.pi, np.pi, n, endpoint=False)
    raise ValueError(f"unknown point kind {kind!r}; allowed: {list(POINT_KINDS)}")


def on_circle(theta: np.ndarray) -> np.ndarray:
    """Points (cos θ, sin θ), shape (n, 2)."""
    return np.stack([np.cos(theta), np.sin(theta)], axis=1)


def sphere_points(n: int, kind: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """n points on S² ⊂ R³: uniform (normalised Gaussians) or evenly spread (Fibonacci lattice)."""
    if kind == "uniform":
        g = rng.standard_normal((n, 3))
        return g / np.linalg.norm(g, axis=1, keepdims=True)
    if kind == "even":
        z = 1.0 - (2.0 * np.arange(n) + 1.0) / n
        phi = np.arange(n) * np.pi * (3.0 - np.sqrt(5.0))
        r = np.sqrt(1.0 - z**2)
        return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)
    raise ValueError(f"unknown point kind {kind!r}; allowed: {list(POINT_KINDS)}")


def unit_norm(y: np.ndarray) -> np.ndarray:
    """y / ‖y‖ over the sample (authors: ys = ys / norm(ys))."""
    norm = np.linalg.norm(y)
    if norm == 0:
        raise ValueError("the target is identically zero on these points; it cannot be normalised")
    return y / norm


def sine(theta: np.ndarray, k: int, phase: float = 0.0) -> np.ndarray:
    """sin(k(θ + φ)): frequency k on the circle."""
    return np.sin(k * (theta + phase))


def zonal_harmonic(x: np.ndarray, k: int, pole=(0.0, 0.0, 1.0)) -> np.ndarray:
    """P_k(⟨x, pole⟩): the degree-k spherical harmonic symmetric about `pole` (Legendre P_k)."""
    pole = np.asarray(pole, dtype=float)
    return eval_legendre(k, x @ (pole / np.linalg.norm(pole)))


def missing_arc_angles(n: int, gap_half_width: float) -> np.ndarray:
    """n evenly spaced angles on the circle outside the gap (-w, w) around θ = 0.

    Authors' Missing_Data: half the points from -π up to -w, half from π down to w, both ends
    included (w = 5π/12).
    """
    left = np.linspace(-np.pi, -gap_half_width, n // 2)
    right = np.linspace(np.pi, gap_half_width, n - n // 2)
    return np.sort(np.concatenate([left, right]))
