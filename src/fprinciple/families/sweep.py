"""The learning-time sweeps of BJKK19 (basri_shallow_1d, basri_shallow_2d, basri_deep): the settings
readers and metric names that the run side (``engines.sweep``) and the analysis side
(``analysis.sweep``) both use. Torch-free, importing neither side."""

from __future__ import annotations

import numpy as np

from ..theory.basri import predicted_learning_time

# A member's outcome, one row each per learner (training.ensemble writes them, analysis.sweep reads them)
OUTCOMES = ["learning_time", "final_loss", "zero_loss", "diverged"]


def frequencies(cfg: dict) -> list[int]:
    return list(range(1, cfg["k_max"] + 1))


def own(cfg: dict, net: dict, key: str):
    """A net's own setting where it overrides the sweep's (a deep sweep mixes a regression and a
    classification net), else the sweep's."""
    return net[key] if key in net else cfg[key]


def net_lr(cfg: dict, net: dict) -> float:
    """The learning rate a net is trained with: its own, else the sweep's."""
    return own(cfg, net, "lr")


def net_loss(cfg: dict, net: dict) -> tuple[str, bool]:
    """The loss a net is trained on and whether its threshold is relative: its own, else the sweep's."""
    return own(cfg, net, "loss"), own(cfg, net, "relative_threshold")


def expected_updates(cfg: dict, variant: dict, eigenvalues) -> float | None:
    """The member-updates a shallow sweep's job (``engines.sweep.runs``) is expected to train, for
    the cost table (``fprinciple.cost``): Σ over its k and seeds of min(t_k, cap), t_k the
    closed-form learning time of λ_k = ``eigenvalues(k, bias)`` (``theory.basri.
    predicted_learning_time``: a zero initial output, the unit-norm target). A mode the linear
    dynamics never learn (λ_k = 0, or lr·n·λ_k ≥ 2: no contraction) counts its cap. None where the
    closed form does not apply: a loss other than ½‖f − y‖²."""
    net = cfg["nets"][variant["net"]]
    loss, relative = net_loss(cfg, net)
    if loss != "half_sse":
        return None
    threshold = cfg["loss_threshold"] * (0.5 if relative else 1.0)  # relative: of loss(f = 0) = ½‖y‖² = ½
    times = predicted_learning_time(
        eigenvalues(np.asarray(variant["ks"]), net["bias"]), net_lr(cfg, net), cfg["points"]["n"], threshold
    )
    return float(np.minimum(times, net["cap"]).sum() * len(variant["seeds"]))
