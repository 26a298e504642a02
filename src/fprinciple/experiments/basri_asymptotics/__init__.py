"""basri_asymptotics — BJKK19, exponent plot of the higher-dimensional eigenvalues: the NTK
eigenvalue c_{d,k} of frequency k on the sphere S^d decays like k^-g(d), and g(d) grows
linearly with d (g(d) -> d + 1 as k -> infinity).

No training: the single run evaluates the exact closed-form eigenvalues with bias
(``theory.basri.asymptotic_coefficients``, arbitrary precision) for every configured d and k and
fits g(d), the least-squares slope of log(1/c_{d,k}) against log k (the authors' fit, their
``Asymptotics/mainAndPlot.py``: even d = 2..100, k = 800..1000).

Dimension axis: ``d`` here is the authors' and the paper's: the sphere S^d in R^{d+1} (d = 1 is
the circle). ``theory.basri`` indexes by the ambient dimension, so c_{d,k} here is
``asymptotic_coefficients(d + 1, k)`` (the authors' c_{d,k} differs from it by a factor that
depends on d only, so g(d) is the same).

Metrics (step 0): ``growth_exponent`` and ``growth_intercept`` (key d: slope and intercept of
the fit); ``log_inverse_coefficient_d<d>`` (key k, value log(1/c_{d,k})) for each d in
``curve_dims``, for the figure.

Control: exact theory has no network to freeze and no target to average, so instead of the
frozen and mean controls the run logs the same metrics for a *perturbed* learner (``learner``
"perturbed"): the coefficients computed with the dimension left out, i.e. those of the smallest
configured d used for every d — the bug of a d-independent formula. Every claim must fail on it.
"""

from __future__ import annotations

import numpy as np

PAPER_FIGURE = "Basri et al., NeurIPS 2019, fig. 6, right: the exponent g(d) of the higher-dimensional eigenvalues (authors' Asymptotics/mainAndPlot.py)"

# The metric names the run writes and the claims and figure read (module docstring)
GROWTH, INTERCEPT, CURVE = "growth_exponent", "growth_intercept", "log_inverse_coefficient_d"


def dataset(cfg: dict) -> str:
    return "none: exact NTK eigenvalues c_{d,k} (with bias) on the sphere S^d, closed form in mpmath"


def index_range(spec: dict) -> np.ndarray:
    """``{min, max, step}`` -> min, min + step, ... up to and including max when it is hit."""
    return np.arange(spec["min"], spec["max"] + 1, spec["step"])


def sphere_dims(cfg: dict) -> np.ndarray:
    return index_range(cfg["dims"])


def degrees(cfg: dict) -> np.ndarray:
    return index_range(cfg["degrees"])


def curve_metric(d: int) -> str:
    return f"{CURVE}{int(d)}"
