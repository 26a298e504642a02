"""fp_parity — XZLXM19: the F-Principle explains why a DNN fails on the parity function.

A net fitted to part of the cube {−1, 1}^d fills the rest with a low-frequency function. The
parity ∏_j x_j is the cube's highest frequency (Walsh degree d), so that fill is no better than
a coin: every Hamming neighbour of an unseen point has the opposite label, and a smooth fill
even leans to the wrong sign. The majority vote, mostly degree 1, is filled in correctly.

Each seed draws one random split of the cube (``train_fraction`` for training, the rest for
testing) shared by every target, trains an MLP with MSE on the ±1 labels (full batch), and logs
the train and test accuracy (sign agreement) and the Walsh energy per degree of the output on
the whole cube; the target's spectrum is logged at step 0.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import torch

from ..claims import Claim
from ..models import MLP
from ..targets.parity import boolean_target, cube, degree_weights
from ..training import RunContext, TrainResult, TrainSpec, train
from . import grid

PAPER_FIGURE = "XZLXM19, the parity function (bad generalization explained by the F-Principle)"


def dataset(cfg: dict) -> str:
    return "synthetic: all points of the Boolean cube {−1, 1}^d, split at random into train and test"


def runs(cfg: dict) -> dict[str, dict]:
    """One run per target and seed."""
    return grid(target=cfg["targets"], seed=cfg["seeds"])


def split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random partition of the cube's n points into train and test indices."""
    order = np.random.default_rng(seed).permutation(n)
    n_train = round(fraction * n)
    return np.sort(order[:n_train]), np.sort(order[n_train:])


def accuracy(output: np.ndarray, y: np.ndarray) -> float:
    """Share of points where the output has the label's sign."""
    return float(np.mean((output > 0) == (y > 0)))


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    x = cube(cfg["dim"])
    y = boolean_target(variant["target"], x)
    seed = variant["seed"]
    train_idx, test_idx = split(len(x), cfg["train_fraction"], seed)
    torch.manual_seed(seed)
    m = cfg["model"]
    model = MLP(cfg["dim"], 1, m["hidden"], m["activation"], m.get("init_std"), m.get("bias", True)).to(ctx.device)
    inputs = torch.as_tensor(x, dtype=torch.float32, device=ctx.device)
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    degrees = np.arange(cfg["dim"] + 1)

    def hook(step: int, net: torch.nn.Module, last: bool):
        with torch.no_grad():
            output = net(inputs)[:, 0].cpu().numpy().astype(np.float64)
        if step == 0:
            yield "target_walsh", degrees, degree_weights(y)
        yield "train_accuracy", np.nan, accuracy(output[train_idx], y[train_idx])
        yield "test_accuracy", np.nan, accuracy(output[test_idx], y[test_idx])
        yield "output_walsh", degrees, degree_weights(output)

    opt = cfg["optimizer"]
    spec = TrainSpec(steps=cfg["steps"], lr=opt["lr"], optimizer=opt["name"], loss="mse",
                     log_every=cfg["log_every"])
    return train(model, inputs[train_idx], targets[train_idx], spec, ctx, hooks=[hook], seed=seed)


def final_accuracies(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per run: its target and the train and test accuracy at its last step."""
    rows = metrics[metrics["metric"].isin(["train_accuracy", "test_accuracy"])]
    last = rows[rows["step"] == rows.groupby("run")["step"].transform("max")]
    table = last.pivot_table(index=["run", "target"], columns="metric", values="value").reset_index()
    return table.rename(columns={"train_accuracy": "train", "test_accuracy": "test"})


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    table = final_accuracies(metrics)
    parity, low = table[table["target"] == "parity"], table[table["target"] == "majority"]
    fraction = f"{cfg['train_fraction']:.0%} of the {2 ** cfg['dim']} points of {{−1, 1}}^{cfg['dim']}"

    def per_run(rows: pd.DataFrame, column: str) -> str:
        return "; ".join(f"{r.run}: {getattr(r, column):.3f}" for r in rows.itertuples())

    row = partial(Claim)
    chance = 0.5 + limits["chance_tolerance"]
    return [
        row(
            claim="training_points_fitted",
            statement=f"the net fits both targets on the training part ({fraction}) exactly",
            measured=f"final train accuracy {per_run(table, 'train')}",
            threshold=f"≥ {limits['train_accuracy_min']} in every run",
            passed=bool(len(table) > 0 and (table["train"] >= limits["train_accuracy_min"]).all()),
        ),
        row(
            claim="parity_not_generalized",
            statement="on the unseen points the fitted parity is no better than chance (parity is the cube's highest frequency)",
            measured=f"final test accuracy {per_run(parity, 'test')}",
            threshold=f"≤ 0.5 + {limits['chance_tolerance']} = {chance:g} in every parity run",
            passed=bool(len(parity) > 0 and (parity["test"] <= chance).all()),
            note="one-sided: a low-frequency fill of the parity leans to the wrong sign (each unseen point's "
                 "Hamming neighbours carry the opposite label), so test accuracy falls below 0.5, not around it",
        ),
        row(
            claim="low_frequency_generalized",
            statement="the majority vote, a low-frequency target (Walsh energy mostly at degree 1), generalizes",
            measured=f"final test accuracy {per_run(low, 'test')}",
            threshold=f"≥ {limits['low_frequency_test_min']} in every majority run",
            passed=bool(len(low) > 0 and (low["test"] >= limits["low_frequency_test_min"]).all()),
        ),
    ]
