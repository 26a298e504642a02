"""fp_nongd — MXZ21 (lecture notes §1.6): the F-Principle without gradient descent.

The equal-amplitude 1-D target of fp1d_equal_amp (sin x + sin 3x + sin 5x) is fitted by a small
tanh net whose flattened parameters are handed to optimizers that take no gradient-descent steps
(``training.nongd``): scipy's conjugate gradient, BFGS and L-BFGS-B (they use the gradient) and
Powell's method, and nevergrad's particle swarm (they use loss values only). One job per
method trains each of its seeds. Each method logs ΔF at the target's peaks through the 1-D
engine's spectral hook, against its own clock: its iteration, or for Powell
(``log_every_evaluations``) the objective evaluations, at which the best parameters so far are
logged; every logged point also records the evaluations spent. The nets run in float64 (scipy's line searches assume double precision);
the hook's float32 grid is cast for them.

Controls: the trainer's frozen and mean, and the 1-D engine's high-frequency-first learner
(``opposite``), which reveals the target from its highest frequency down over the first half of
the method's planned clock.
"""

PAPER_FIGURE = "Ma, Xu & Zhang 2021 (arXiv:2101.00747): the F-Principle under non-gradient-descent optimizers"
LABELS = {
    "cg": "conjugate gradient",
    "bfgs": "BFGS (quasi-Newton)",
    "l-bfgs-b": "L-BFGS-B (quasi-Newton)",
    "powell": "Powell's method (no gradient)",
    "pso": "particle swarm (no gradient)",
}


def dataset(cfg: dict) -> str:
    return "synthetic 1-D target sin x + sin 3x + sin 5x on a uniform grid"


def clock(settings: dict) -> str:
    """What a logged step counts for a method: its iterations or its objective evaluations."""
    return "evaluations" if settings.get("log_every_evaluations") else "iterations"


def model_of(cfg: dict, method: str) -> dict:
    """A method's net: its own ``model`` (a whole net, not merged), else the block's."""
    return cfg["methods"][method].get("model", cfg["model"])
