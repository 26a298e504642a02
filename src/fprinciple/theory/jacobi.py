"""Jacobi iteration on the second-order finite-difference Poisson system, and its exact per-mode
behaviour: the classical reference for fp_poisson, where Jacobi damps high frequencies first
(the smoothing property multigrid rests on) while a DNN learns low frequencies first.

System: on N interior points with spacing h, ``A u = g`` with
``(A u)_i = (2 u_i − u_{i−1} − u_{i+1}) / h²`` and ``u_0 = u_{N+1} = 0``.

Modes: ``φ_j(x_i) = sin(jπ i / (N + 1))``, j = 1..N, are the eigenvectors of A, with
eigenvalues ``λ_j = (2 − 2 cos θ_j) / h²``, ``θ_j = jπ / (N + 1)``. On [−1, 1]
(``x_i = −1 + i h``, ``h = 2/(N+1)``) this is ``φ_j(x) = sin(jπ(x + 1)/2)``, so ``sin(kπx) =
(−1)^k φ_{2k}``: we label mode j by its wavenumber ``κ = j / 2``, in which sin(kπx) sits at
κ = k and ``θ_j = κπh``. The odd j (half-integer κ, cos-like modes) are there too: any error has
them.

Weighted Jacobi ``u ← (1 − ω) u + ω (h² g + u_{i−1} + u_{i+1}) / 2`` multiplies the error's
mode j by ``ρ_j = 1 − ω (1 − cos θ_j)`` per sweep; plain Jacobi (ω = 1) gives ``ρ_j = cos θ_j =
cos(κπh)``. Note |ρ_j| is symmetric about j = (N + 1)/2 for ω = 1: plain Jacobi damps the middle
of the spectrum fastest, and the highest mode (j = N) as slowly as the lowest. High beats low
only within the lower half (κ < (N + 1)/4, i.e. wavelengths above 4h), or over the whole
spectrum with damping (ω = 2/3 gives |ρ_j| ≤ 1/3 for every j ≥ (N + 1)/2).
"""

from __future__ import annotations

import numpy as np
import scipy.fft
import scipy.linalg

__all__ = [
    "mode_wavenumbers",
    "laplacian_eigenvalues",
    "contraction_factors",
    "solve_fd",
    "jacobi_sweep",
    "jacobi",
    "sweeps_to_tolerance",
    "sine_coefficients",
]


def mode_wavenumbers(n_interior: int) -> np.ndarray:
    """κ_j = j/2 for modes j = 1..N: sin(kπx) on [−1, 1] is the mode at κ = k."""
    return np.arange(1, n_interior + 1) / 2.0


def _angles(n_interior: int) -> np.ndarray:
    return np.arange(1, n_interior + 1) * np.pi / (n_interior + 1)


def laplacian_eigenvalues(n_interior: int, h: float) -> np.ndarray:
    """λ_j = (2 − 2 cos θ_j) / h² of the FD matrix A, j = 1..N (→ (κπ)² as h → 0)."""
    return (2.0 - 2.0 * np.cos(_angles(n_interior))) / h**2


def contraction_factors(n_interior: int, omega: float = 1.0) -> np.ndarray:
    """ρ_j = 1 − ω (1 − cos θ_j): the factor by which one sweep multiplies the error's mode j."""
    return 1.0 - omega * (1.0 - np.cos(_angles(n_interior)))


def solve_fd(g: np.ndarray, h: float) -> np.ndarray:
    """The exact solution of A u = g (tridiagonal, scipy's banded solver)."""
    n = g.shape[-1]
    bands = np.zeros((3, n))
    bands[0, 1:] = -1.0
    bands[1, :] = 2.0
    bands[2, :-1] = -1.0
    return scipy.linalg.solve_banded((1, 1), bands, h**2 * np.asarray(g, dtype=np.float64))


def jacobi_sweep(u: np.ndarray, g: np.ndarray, h: float, omega: float = 1.0) -> np.ndarray:
    """One (weighted) Jacobi sweep on the interior values `u`; zero Dirichlet values outside."""
    neighbours = np.zeros_like(u)
    neighbours[1:] += u[:-1]
    neighbours[:-1] += u[1:]
    return (1.0 - omega) * u + omega * 0.5 * (h**2 * g + neighbours)


def jacobi(
    u0: np.ndarray, g: np.ndarray, h: float, sweeps: int, omega: float = 1.0, log_every: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Run `sweeps` sweeps from `u0`; return the logged sweep counts (0, log_every, ..., and the
    last) and the iterates at those counts, shape (T, N)."""
    u = np.asarray(u0, dtype=np.float64).copy()
    logged, iterates = [0], [u.copy()]
    for sweep in range(1, sweeps + 1):
        u = jacobi_sweep(u, g, h, omega)
        if sweep % log_every == 0 or sweep == sweeps:
            logged.append(sweep)
            iterates.append(u.copy())
    return np.array(logged), np.stack(iterates)


def sweeps_to_tolerance(
    u0: np.ndarray,
    g: np.ndarray,
    h: float,
    reference: np.ndarray,
    tolerance: float,
    max_sweeps: int,
    omega: float = 1.0,
) -> int | None:
    """The first sweep count after which ‖u − reference‖₂ / ‖reference‖₂ < tolerance (0 if `u0`
    already is), or None if not within `max_sweeps`."""
    u = np.asarray(u0, dtype=np.float64).copy()
    scale = np.linalg.norm(reference)
    for sweep in range(max_sweeps + 1):
        if np.linalg.norm(u - reference) < tolerance * scale:
            return sweep
        u = jacobi_sweep(u, g, h, omega)
    return None


def sine_coefficients(values: np.ndarray) -> np.ndarray:
    """Coefficients c_j, j = 1..N (index j − 1), of ``values = Σ_j c_j φ_j`` on the interior grid.

    DST-I (scipy.fft.dst type 1) computes ``2 Σ_i v_i sin(jπ i/(N+1))``; the φ_j are orthogonal
    with ``Σ_i φ_j(x_i)² = (N+1)/2``, so dividing by N + 1 gives c_j exactly (the transform is
    its own inverse up to that factor). Leading axes are a batch. sin(kπx) gives ±1 at j = 2k.
    """
    values = np.asarray(values, dtype=np.float64)
    return scipy.fft.dst(values, type=1, axis=-1) / (values.shape[-1] + 1)
