"""fp1d_robustness — XZX18: the fp1d_equal_amp experiment across activations, depths and
optimizers; the F-Principle order must hold in every cell of the grid, one claim per optimizer.

One job per activation trains every optimizer × depth cell in turn (``ctx.part``: each cell has
its own checkpoint), every seed of a cell one after another or as one batched ensemble
(``ensemble``), so the small nets do not each pay a Python start-up."""

from __future__ import annotations

import dataclasses

from ...engines.fit1d import fit
from ...analysis.fit1d import order_claim
from ...training import RunContext, TrainResult, combine
from .. import seed_jobs

PAPER_FIGURE = (
    "Xu, Zhang & Xiao, ICONIP 2019: the order across activations, depths and optimizers, in the equal-amplitude setting"
)
PAPER_ACTIVATIONS = ("tanh", "relu", "sigmoid")
# Each activation × depth cell is a condition of its own. An optimizer's claim pools the cells'
# nets: reproduced when the order holds in significantly more than half of them and in no cell
# does it fail in most seeds (docs/experiments/fp1d_robustness.md says why pooled).
CONDITIONS = ("activation", "depth")


def dataset(cfg: dict) -> str:
    return "synthetic 1-D target sin x + sin 3x + sin 5x on a uniform grid"


def runs(cfg: dict) -> dict[str, dict]:
    """One job per activation, training every cell for every seed."""
    return seed_jobs(cfg, activation=cfg["activations"])


def cells(cfg: dict) -> list[tuple[str, int]]:
    """The (optimizer, depth) cells every activation is trained in."""
    return [(optimizer, depth) for optimizer in cfg["optimizers"] for depth in cfg["depths"]]


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Every optimizer × depth cell of one activation for every seed; the records get optimizer
    and depth columns. An optimizer's own ``steps``, ``log_every`` and ``model`` keys override the
    block's: the authors log once per epoch (one update under full batch, n // batch_size under
    SGD), and their Adam setting comes with their initialisation."""
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


def claims(metrics, cfg: dict):
    """One order claim per optimizer, over every activation × depth cell and seed it trained."""
    found = []
    missing = [a for a in PAPER_ACTIVATIONS if a not in cfg["activations"]]
    note = (
        (
            f"{', '.join(missing)} not in this config's activations: checked only where configured "
            "(docs/experiments/fp1d_robustness.md explains why the quick scale leaves sigmoid out)"
        )
        if missing
        else ""
    )
    count = len(cfg["activations"]) * len(cfg["depths"])
    for optimizer in cfg["optimizers"]:
        rows = metrics[metrics["optimizer"] == optimizer] if "optimizer" in metrics else metrics.iloc[:0]
        claim = order_claim(
            rows, cfg, f"{optimizer}: k=1 before k=3 before k=5 for every activation and depth ({count} cells)"
        )
        found.append(
            dataclasses.replace(
                claim, claim=f"convergence_order_{optimizer}", note=note, conditions=CONDITIONS, pooled=True
            )
        )
    return found
