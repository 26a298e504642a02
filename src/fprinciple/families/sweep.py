"""The learning-time sweeps of BJKK19 (basri_shallow_1d, basri_shallow_2d, basri_deep): the settings
readers and metric names that the run side (``engines.sweep``) and the analysis side
(``analysis.sweep``) both use. Torch-free, importing neither side."""

from __future__ import annotations

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
