"""Boolean functions on the cube {−1, 1}^d and their Walsh–Fourier spectrum (XZLXM19, parity).

On the cube every function is a sum of characters χ_S(x) = ∏_{j∈S} x_j; the degree |S| is the
frequency: χ_S(x) = ∏_{j∈S} sin(π x_j / 2) on the cube, a plane wave of |frequency| ∝ √|S|.
The parity ∏_j x_j is the single character of top degree d, the highest frequency the cube has.
The contrast target is the majority vote sign(Σ_j x_j), the standard low-frequency Boolean
function: it is odd (no even degrees, so none at the parity's degree for even d) and most of its
energy sits at degree 1 (2/π of it as d → ∞).
"""

from __future__ import annotations

import numpy as np


def cube(d: int) -> np.ndarray:
    """All 2^d points of {−1, 1}^d, shape (2^d, d); row i has x_j = 1 − 2·(bit j of i).

    This order is the one ``walsh_coefficients`` expects.
    """
    bits = (np.arange(2**d)[:, None] >> np.arange(d)) & 1
    return (1 - 2 * bits).astype(np.float64)


def parity(x: np.ndarray) -> np.ndarray:
    """∏_j x_j: the top-degree character."""
    return np.prod(x, axis=1)


def majority(x: np.ndarray) -> np.ndarray:
    """sign(Σ_j x_j); a tie (even d) goes to x_1, i.e. sign(Σ_j x_j + x_1 / 2), still a threshold
    function and still odd, so its spectrum keeps the majority's shape."""
    return np.sign(x.sum(axis=1) + 0.5 * x[:, 0])


TARGETS = {"parity": parity, "majority": majority}


def boolean_target(name: str, x: np.ndarray) -> np.ndarray:
    if name not in TARGETS:
        raise ValueError(f"unknown Boolean target {name!r}; allowed: {list(TARGETS)}")
    return TARGETS[name](x)


def walsh_coefficients(values: np.ndarray) -> np.ndarray:
    """f̂(S) = mean_x f(x) χ_S(x) for every subset S (bit mask), by the fast Walsh–Hadamard
    transform; ``values`` are f on ``cube(d)`` in its order."""
    f = np.asarray(values, dtype=np.float64).copy()
    n = len(f)
    if n & (n - 1):
        raise ValueError(f"need f on all 2^d points of the cube, got {n} values")
    h = 1
    while h < n:
        f = f.reshape(-1, 2, h)
        f = np.stack([f[:, 0] + f[:, 1], f[:, 0] - f[:, 1]], axis=1).reshape(n)
        h *= 2
    return f / n


def degree_weights(values: np.ndarray) -> np.ndarray:
    """W^k = Σ_{|S|=k} f̂(S)² for k = 0…d: the energy per degree (they sum to mean f², Parseval)."""
    coefficients = walsh_coefficients(values)
    d = len(coefficients).bit_length() - 1
    degree = np.array([bin(s).count("1") for s in range(len(coefficients))])
    return np.bincount(degree, weights=coefficients**2, minlength=d + 1)
