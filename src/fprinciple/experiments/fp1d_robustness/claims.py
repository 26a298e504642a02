"""fp1d_robustness, the analysis side: one order claim per optimizer, pooled over every activation ×
depth cell and seed it trained."""

from __future__ import annotations

import dataclasses

from ...analysis.fit1d import order_claim

PAPER_ACTIVATIONS = ("tanh", "relu", "sigmoid")
# Each activation × depth cell is a condition of its own. An optimizer's claim pools the cells'
# nets: reproduced when the order holds in significantly more than half of them and in no cell
# does it fail in most seeds (README.md says why pooled).
CONDITIONS = ("activation", "depth")


def claims(metrics, cfg: dict):
    """One order claim per optimizer, over every activation × depth cell and seed it trained."""
    found = []
    missing = [a for a in PAPER_ACTIVATIONS if a not in cfg["activations"]]
    note = (
        (
            f"{', '.join(missing)} not in this config's activations: checked only where configured "
            "(src/fprinciple/experiments/fp1d_robustness/README.md explains why the quick scale leaves sigmoid out)"
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
