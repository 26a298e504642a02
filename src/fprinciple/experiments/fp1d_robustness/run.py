"""fp1d_robustness, the run side: one job per activation trains every optimizer × depth cell in turn
(``ctx.part``: each cell has its own checkpoint), every seed of a cell one after another or as one
batched ensemble (``ensemble``), so the small nets do not each pay a Python start-up."""

from __future__ import annotations

from ...engines.fit1d import fit
from ...training import RunContext, TrainResult, combine
from .. import seed_jobs
from . import cells


def runs(cfg: dict) -> dict[str, dict]:
    """One job per activation, training every cell for every seed."""
    return seed_jobs(cfg, activation=cfg["activations"])


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Every optimizer × depth cell of one activation for every seed; the records get optimizer
    and depth columns. An optimizer's own ``steps``, ``log_every`` and ``model`` keys override the
    block's (schema.yaml fills no default into them): the authors log once per epoch (one update
    under full batch, n // batch_size under SGD), and their Adam setting comes with their
    initialisation."""
    parts = []
    for optimizer, depth in cells(cfg):
        settings = {"name": optimizer, **cfg["optimizers"][optimizer]}
        model = {**cfg["model"], **settings.pop("model", {})}
        cell = {
            **cfg,
            "model": model,
            "steps": settings.pop("steps", cfg["steps"]),
            "log_every": settings.pop("log_every", cfg["log_every"]),
        }
        hidden = [model["width"]] * depth
        result = fit(
            cell, variant["seeds"], ctx.part(f"{optimizer}-depth-{depth}"), hidden, variant["activation"], settings
        )
        parts.append(({"optimizer": optimizer, "depth": depth}, result))
    return combine(parts)
