"""NTK of a two-layer ReLU net on the sphere: kernels, per-frequency eigenvalues, learning times.

Basri, Jacobs, Kasten, Kritchman, "The convergence rate of neural networks for learned functions
of different frequencies", NeurIPS 2019 (arXiv:1906.00425); authors' code
github.com/ykasten/Convergence-Rate-NN-Different-Frequencies (read for conventions, not copied).

Setting
-------
``f(x) = m^{-1/2} sum_r a_r ReLU(w_r^T x + b_r)``, ``a_r = +-1`` fixed, ``w_r ~ N(0, sigma^2 I)``,
``b_r = 0`` at init (authors' code: ``b = zeros``, ``sigma = 2.5`` on the circle, ``1`` on S^2),
W and b trained by GD on ``1/2 sum_i (f(x_i) - y_i)^2``. In the wide limit the residual obeys
``r_{t+1} = (I - lr H) r_t`` with ``H_ij = K(x_i, x_j)``, K the NTK (paper's H^infinity).

Conventions
-----------
* ``d`` is the ambient dimension: data on S^{d-1} in R^d (``d = 2`` circle, ``d = 3`` S^2).
  The paper's higher-dimensional formula and its exponent plot g(d) (authors'
  ``Asymptotics/mainAndPlot.py``, even d = 2..100) index S^d in R^{d+1}: their d is our ``d - 1``.
* Eigenvalues ``lambda_k`` are those of ``(T f)(x) = E_{x' ~ U(S^{d-1})} K(x, x') f(x')``
  (uniform *probability* measure); the degree-k spherical harmonics (Fourier modes cos/sin k theta
  on the circle, multiplicity 2 for k >= 1) are its eigenfunctions (Funk-Hecke). The Gram matrix
  H on n uniform points then has eigenvalues ~ ``n lambda_k``. 1-D values quoted as Fourier
  coefficients of ``K(theta) = sum_k a_k cos(k theta)`` are ``a_0 = lambda_0``,
  ``a_k = 2 lambda_k``. The authors' code ``c_{d,k}`` (``getANew``, ``getABias``, ``cdk``) is
  ``|S^{d-1}| / (d-1) * lambda_k``.
* Bias: with ``b = 0`` at init, ``1{w^T x + b >= 0} = 1{w^T x >= 0}``, so ``sigma`` drops out and
  ``K = s^2 (x^T x' + 1) (pi - angle(x, x')) / (2 pi)``, where the bias acts on the augmented input
  ``s (x, 1)``. The paper normalises it, ``s = 1/sqrt(2)`` (``||s (x, 1)|| = 1``), giving
  ``(x^T x' + 1)(pi - arccos x^T x') / (4 pi)`` (default, ``PAPER_INPUT_SCALE``); a net that just
  adds ``b`` (the authors' training code) has ``s = 1``: every eigenvalue doubles.

Closed forms (re-derived; equal the authors' alternating finite sums, even d_paper, to 12 digits)
-------------------------------------------------------------------------------------------------
``pi - arccos t = pi/2 + arcsin t``, so the no-bias kernel is ``t/4 + t arcsin(t) / (2 pi)`` and
the bias kernel ``s^2 [(1 + t)/4 + (1 + t) arcsin(t) / (2 pi)]``. Funk-Hecke on the Taylor series of
arcsin, summed with Gauss's 2F1(1) theorem, gives with ``h = d/2``:

* ``A_k`` (arcsin t, odd k) = ``G(h)^2 G(k/2)^2 / (2 pi G((k+d)/2)^2)``, G = Gamma;
* ``B_k`` (t arcsin t, even k) =
  ``G(h)^2 / (4 pi) [2 G(b) G(b+1) / (G(c) G(c-1)) + h G(b)^2 / G(c)^2]``,
  ``b = (k-1)/2``, ``c = (k+d+1)/2``;
* the linear term ``t`` has eigenvalue ``1/d`` at k = 1, the constant 1 has ``1`` at k = 0.

No bias: odd k >= 3 get 0 (not learnable); with bias every k gets ``> 0`` and
``lambda_k ~ s^2 Gamma(h)^2 / (2 pi)^2 (k/2)^{-d}`` for both parities, i.e. ``1/lambda_k ~ k^d``.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np

__all__ = [
    "PAPER_INPUT_SCALE",
    "kernel_no_bias",
    "kernel_with_bias",
    "circle_eigenvalues",
    "sphere_eigenvalues",
    "predicted_learning_time",
    "asymptotic_coefficients",
    "growth_exponent",
]

PAPER_INPUT_SCALE = 1.0 / np.sqrt(2.0)


def kernel_no_bias(cos_angle: np.ndarray) -> np.ndarray:
    """H^infinity without bias on the unit sphere: ``t (pi - arccos t) / (2 pi)``, t = x^T x'.

    Paper's H^infinity (from Du et al./Arora et al.): ``E_w[x^T x' 1{w^T x >= 0, w^T x' >= 0}]``;
    the probability that both units fire is ``(pi - angle) / (2 pi)`` for any isotropic w.
    """
    t = np.clip(np.asarray(cos_angle, dtype=float), -1.0, 1.0)
    return t * (np.pi - np.arccos(t)) / (2.0 * np.pi)


def kernel_with_bias(x: np.ndarray, x2: np.ndarray, input_scale: float = PAPER_INPUT_SCALE) -> np.ndarray:
    """NTK with trained bias (init ``b = 0``) between rows of ``x`` (n, d) and ``x2`` (n2, d).

    ``s^2 (x^T x' + 1) (pi - angle(x, x')) / (2 pi)`` with ``s = input_scale`` (module docstring:
    paper ``s = 1/sqrt(2)``, i.e. ``(x^T x' + 1)(pi - arccos x^T x') / (4 pi)`` on the sphere).
    Valid for any nonzero x: the firing pattern only sees the angle because b starts at 0.
    """
    x, x2 = np.atleast_2d(x).astype(float), np.atleast_2d(x2).astype(float)
    dots = x @ x2.T
    norms = np.linalg.norm(x, axis=1)[:, None] * np.linalg.norm(x2, axis=1)[None, :]
    angle = np.arccos(np.clip(dots / norms, -1.0, 1.0))
    return input_scale**2 * (dots + 1.0) * (np.pi - angle) / (2.0 * np.pi)


def _as_degrees(k) -> np.ndarray:
    k = np.asarray(k)
    if not np.issubdtype(k.dtype, np.integer) or np.any(k < 0):
        raise ValueError("frequencies k must be non-negative integers")
    return k


def circle_eigenvalues(k, bias: bool, input_scale: float = PAPER_INPUT_SCALE) -> np.ndarray:
    """Eigenvalue of frequency k (cos k theta, sin k theta) on the circle, probability measure.

    Elementary 1-D forms (Fourier coefficients of K(theta), halved for k >= 1): no bias
    ``1/pi^2, 1/8, (k^2+1)/(pi^2 (k^2-1)^2)`` (k = 0, 1, even k), 0 for odd k >= 3; the bias
    adds the arcsin part: ``s^2 [1/4 + 1/pi^2, 1/8 + 1/pi^2, (k^2+1)/(pi^2 (k^2-1)^2),
    1/(pi^2 k^2)]`` (k = 0, 1, even, odd >= 3).
    """
    k = _as_degrees(k)
    kf = k.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        even = (kf**2 + 1.0) / (np.pi**2 * (kf**2 - 1.0) ** 2)  # k = 0 gives 1/pi^2 too
        odd = 1.0 / (np.pi**2 * kf**2) if bias else np.zeros_like(kf)
    lam = np.where(k % 2 == 0, even, odd)
    lam = np.where(k == 1, 1.0 / 8.0 + (1.0 / np.pi**2 if bias else 0.0), lam)
    if bias:
        lam = input_scale**2 * (lam + np.where(k == 0, 0.25, 0.0))
    return lam[()]


def _eigenvalue_mp(k: int, d: int, bias: bool, scale2: mp.mpf) -> mp.mpf:
    """Funk-Hecke eigenvalue of degree k on S^{d-1} at the current mpmath precision."""
    k, d, g = int(k), int(d), mp.gamma
    h = mp.mpf(d) / 2
    if k % 2:
        lam = mp.mpf(0)
        if bias:  # A_k / (2 pi)
            lam = (g(h) * g(mp.mpf(k) / 2) / g(mp.mpf(k + d) / 2)) ** 2 / (2 * mp.pi) ** 2
        if k == 1:
            lam += 1 / (4 * mp.mpf(d))
    else:  # B_k / (2 pi); the two terms are positive for k >= 2
        b, c = mp.mpf(k - 1) / 2, mp.mpf(k + d + 1) / 2
        bracket = 2 * g(b) * g(b + 1) / (g(c) * g(c - 1)) + h * g(b) ** 2 / g(c) ** 2
        lam = g(h) ** 2 * bracket / (8 * mp.pi**2)
        if bias and k == 0:
            lam += mp.mpf(1) / 4
    return scale2 * lam if bias else lam


def sphere_eigenvalues(k, d: int = 3, bias: bool = False, input_scale: float = PAPER_INPUT_SCALE) -> np.ndarray:
    """Eigenvalue of the degree-k (zonal) harmonics on S^{d-1}, uniform probability measure.

    Gamma-function closed forms of the module docstring, evaluated in mpmath (no cancellation
    or overflow), returned as floats; ``d = 2`` reproduces ``circle_eigenvalues``. For tiny values
    that underflow float64 use ``asymptotic_coefficients``.
    """
    k = _as_degrees(k)
    if d < 2:
        raise ValueError(f"d must be >= 2, got {d}")
    with mp.workdps(30):
        scale2 = mp.mpf(input_scale) ** 2
        flat = [float(_eigenvalue_mp(ki, d, bias, scale2)) for ki in k.ravel()]
    return np.asarray(flat, dtype=float).reshape(k.shape)[()]


def predicted_learning_time(
    eigenvalue, lr: float, n: int, loss_threshold: float, target_norm: float = 1.0
) -> np.ndarray:
    """GD iterations until ``1/2 ||r_t||^2 <= loss_threshold`` for a pure-mode target.

    Linearised dynamics ``r_t = (1 - lr n lambda)^t r_0`` (paper: residual along eigenvector i
    decays like ``(1 - lr lambda_i(H))^t``, ``lambda_i(H) ~ n lambda_k``), assuming the initial
    output is negligible so ``r_0 = -y`` with ``||y|| = target_norm`` (the authors normalise
    y to unit norm). Smallest integer t; ``0`` if already below, ``np.inf`` when the mode does not
    contract (``lambda = 0``, or ``lr n lambda >= 2``).
    """
    lam = np.asarray(eigenvalue, dtype=float)
    contraction = np.abs(1.0 - lr * n * lam)
    needed = np.log(2.0 * loss_threshold / target_norm**2)  # log of the required ||r||^2 ratio
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.maximum(np.ceil(needed / (2.0 * np.log(contraction))), 1.0)
    steps = np.where(contraction >= 1.0, np.inf, steps)
    return np.where(needed >= 0.0, 0.0, steps)[()]


def asymptotic_coefficients(d: int, k, dps: int = 50):
    """Exact eigenvalues ``c_{d,k}`` with bias (paper's s) on S^{d-1}, as mpmath ``mpf``.

    The paper's ``c_{d,k}`` (authors' Decimal code, prec 1000) in the module's normalisation,
    kept in arbitrary precision because for large d, k they underflow float64 (e.g. d = 101,
    k = 10^5). Scalar k gives an ``mpf``, an iterable a list.
    """
    if d < 2:
        raise ValueError(f"d must be >= 2, got {d}")
    ks = _as_degrees(k)
    with mp.workdps(dps):
        scale2 = mp.mpf(1) / 2
        vals = [_eigenvalue_mp(ki, d, True, scale2) for ki in ks.ravel()]
    return vals[0] if ks.ndim == 0 else vals


def growth_exponent(d: int, ks=range(800, 1001)) -> float:
    """g(d): least-squares slope of log(1/c_{d,k}) against log k (authors: k = 800..1000).

    Tends to d (``1/lambda_k ~ k^d`` on S^{d-1}); the finite-k fit sits slightly below for large
    d. The authors' plot uses d_paper = d - 1, so their g(d_paper) is ``growth_exponent(d + 1)``.
    """
    ks = np.asarray(ks)
    log_inv = [float(-mp.log(c)) for c in asymptotic_coefficients(d, ks)]
    return float(np.polyfit(np.log(ks.astype(float)), log_inv, 1)[0])
