"""basri_label_noise — BJKK19 fig. 1, left (MNIST with 50% label noise): a fully connected ReLU net
first learns the clean structure of the digits (low frequency) and only later memorises the
random labels (high frequency), so the clean test accuracy peaks early and then falls, and early
stopping on a validation set whose labels are just as noisy still finds that peak.

Setting (authors' MNIST/optimize.py, cfg.py): ``n_val`` of the training images are held out for
validation; in both training and validation a random ``noise`` share of the samples gets a label
drawn uniformly from all classes (the authors permute the one-hot vector, so the random label
equals the true one with probability 1/10: 45% of the labels end up wrong); the test set stays
clean. 784 → 3×256 ReLU → 10, cross-entropy, plain SGD lr 0.005, batch 100, accuracy every
epoch. With ``authors_init`` the net is initialised as in their code: every weight from
N(0, 0.01²), hidden biases from U(−1, 1), no output bias; otherwise PyTorch's default (the quick
scale: it learns the clean structure in far fewer epochs at the quick learning rate).

"Early" is measured against the net's own memorisation: the clean test accuracy peaks within the
first ``early_fraction`` of the epochs it takes the net to reach ``train_accuracy_min`` on the
noisy training labels (the last epoch if it never does).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd
import torch

from ...claims import Claim
from ...datasets import caption as dataset_caption
from ...engines.classify import (
    Data,
    build_model,
    fit,
    load_data,
    with_dataset_name,
    with_epochs,
)
from ...training import RunContext, TrainResult
from ...training.seeds import seeds_in_turn
from .. import seed_jobs

AUTHORS_WEIGHT_STD = 0.01  # MNIST/optimize.py: tf.random_normal(..., stddev=.01)
AUTHORS_BIAS_RANGE = 1.0  # tf.random_uniform([k], -1, 1)

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, fig. 1, left (MNIST, 50% random labels: train, validation and test accuracy per epoch)"
)

runs = seed_jobs  # one job: each seed in turn (one Python start-up)


def datasets(cfg: dict) -> list[str]:
    return [cfg["data"]["dataset"]]


def dataset(cfg: dict) -> str:
    return (
        f"{dataset_caption(cfg['data']['dataset'])}, {cfg['noise']:.0%} of the training and validation labels "
        "random, test clean"
    )


def noisy_labels(y: np.ndarray, noise: float, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``y`` in which floor(noise·n) samples, chosen at random, get a label drawn
    uniformly from all ``n_classes`` (so it may equal the true one), as in the authors' code."""
    y = np.array(y, copy=True)
    chosen = rng.permutation(len(y))[: int(np.floor(noise * len(y)))]
    y[chosen] = rng.integers(0, n_classes, len(chosen))
    return y


def noisy_split(
    data: Data, n_val: int, noise: float, seed: int
) -> tuple[Data, tuple[torch.Tensor, torch.Tensor], dict]:
    """Hold ``n_val`` random training samples out for validation and corrupt the labels of both
    parts; the returned Data trains on the noisy labels and keeps the clean test set. Also
    returns, per part, the share of labels left true: what a perfectly clean classifier scores."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data.train.y))
    val, keep = order[:n_val], order[n_val:]
    n_classes = data.train.n_classes
    y_train = noisy_labels(data.train.y[keep], noise, n_classes, rng)
    y_val = noisy_labels(data.train.y[val], noise, n_classes, rng)
    device = data.x_train.device
    train = replace(data.train, x=data.train.x[keep], y=y_train)
    noisy = replace(data, train=train, x_train=data.x_train[keep], y_train=torch.as_tensor(y_train, device=device))
    clean = {
        "train": float(np.mean(y_train == data.train.y[keep])),
        "validation": float(np.mean(y_val == data.train.y[val])),
    }
    return noisy, (data.x_train[val], torch.as_tensor(y_val, device=device)), clean


def run_seed(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    seed = variant["seed"]
    data, validation, clean = noisy_split(load_data(cfg["data"], ctx), cfg["n_val"], cfg["noise"], seed)
    model = build_model(cfg["net"], data, seed)
    if cfg.get("authors_init", False):
        authors_init(model)
    splits = {"train": (data.x_train, data.y_train), "validation": validation, "test": (data.x_test, data.y_test)}

    def clean_share(step: int, net: torch.nn.Module, last: bool):
        if step == 0:
            for split, share in clean.items():
                yield f"{split}_clean_label_share", np.nan, share

    result = fit(cfg, {seed: model}, data, ctx, hooks=[clean_share], splits=splits)
    return with_dataset_name(result, data)


run = seeds_in_turn(run_seed)


@torch.no_grad()
def authors_init(model: torch.nn.Module) -> None:
    """The authors' initialisation of the fully connected net, in place: weights N(0, 0.01²),
    hidden biases U(−1, 1), and the output layer's bias removed (their logits are W·h)."""
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    for layer in linears:
        torch.nn.init.normal_(layer.weight, std=AUTHORS_WEIGHT_STD)
        if layer.bias is not None:
            torch.nn.init.uniform_(layer.bias, -AUTHORS_BIAS_RANGE, AUTHORS_BIAS_RANGE)
    linears[-1].register_parameter("bias", None)


def curves(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per seed and epoch: train, validation and test accuracy (one column each)."""
    rows = with_epochs(metrics)
    rows = rows[rows["metric"].isin(["train_accuracy", "validation_accuracy", "test_accuracy"])]
    table = rows.pivot_table(index=["seed", "epoch"], columns="metric", values="value").reset_index()
    return table.rename(columns=lambda c: c.removesuffix("_accuracy"))


def summary(metrics: pd.DataFrame, memorised: float = 1.0) -> pd.DataFrame:
    """Per seed: the final epoch's accuracies, the test peak (value, epoch), the test accuracy at
    the epoch of best validation accuracy (the first such epoch: the early-stopping point), and
    the first epoch at which the train accuracy on the noisy labels reaches ``memorised`` (NaN if
    it never does) and at which it passes the share of true training labels (``clean_passed``)."""
    share = metrics[metrics["metric"] == "train_clean_label_share"].groupby("seed")["value"].first()

    def first_epoch(run: pd.DataFrame, reached: pd.Series) -> float:
        return float(run["epoch"][reached.idxmax()]) if reached.any() else np.nan

    rows = []
    for seed, run in curves(metrics).groupby("seed", sort=True):
        run = run.sort_values("epoch").reset_index(drop=True)
        peak, stop, last = run["test"].idxmax(), run["validation"].idxmax(), run.index[-1]
        rows.append(
            (
                seed,
                run["epoch"][last],
                run["train"][last],
                run["test"][last],
                run["test"][peak],
                run["epoch"][peak],
                run["epoch"][stop],
                run["test"][stop],
                first_epoch(run, run["train"] >= memorised),
                first_epoch(run, run["train"] > share.get(seed, np.inf)),
            )
        )
    columns = [
        "seed",
        "last_epoch",
        "final_train",
        "final_test",
        "peak_test",
        "peak_epoch",
        "stop_epoch",
        "stop_test",
        "memorised_epoch",
        "clean_passed",
    ]
    return pd.DataFrame(rows, columns=columns)


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    table = summary(metrics, limits["train_accuracy_min"])
    # "early": within the first early_fraction of the epochs the net needs to memorise
    horizon = table["memorised_epoch"].fillna(table["last_epoch"])
    table["early_by"] = limits["early_fraction"] * horizon
    name = metrics["dataset_name"].iloc[0] if "dataset_name" in metrics.columns else cfg["data"]["dataset"]
    noise = f"{cfg['noise']:.0%} random training and validation labels"
    clean_share = metrics[metrics["metric"] == "train_clean_label_share"]["value"].mean()

    def per_run(fmt) -> str:
        return "; ".join(f"seed {r.seed}: {fmt(r)}" for r in table.itertuples())

    ok = len(table) > 0
    row = partial(Claim)
    return [
        row(
            claim="test_accuracy_peaks_early",
            statement=f"{name}, {noise}: the clean test accuracy peaks early, far above its final value",
            measured=per_run(
                lambda r: (
                    f"peak {r.peak_test:.3f} at epoch {r.peak_epoch:g}, final {r.final_test:.3f} at "
                    f"epoch {r.last_epoch:g}; train accuracy ≥ {limits['train_accuracy_min']} from epoch "
                    f"{'never' if np.isnan(r.memorised_epoch) else f'{r.memorised_epoch:g}'}, above the true-label "
                    f"share from epoch {'never' if np.isnan(r.clean_passed) else f'{r.clean_passed:g}'}"
                )
            ),
            threshold=(
                f"peak − final ≥ {limits['peak_margin']} and peak epoch ≤ {limits['early_fraction']} × the epoch at which "
                f"the train accuracy on the noisy labels reaches {limits['train_accuracy_min']} (the last epoch if never)"
            ),
            passed=bool(
                (
                    (table["peak_test"] - table["final_test"] >= limits["peak_margin"])
                    & (table["peak_epoch"] <= table["early_by"])
                ).all()
            )
            if ok
            else None,
        ),
        row(
            claim="early_stopping_works",
            statement="stopping at the best accuracy on the (equally noisy) validation labels recovers the clean test peak",
            measured=per_run(
                lambda r: (
                    f"test {r.stop_test:.3f} at best-validation epoch {r.stop_epoch:g} vs final {r.final_test:.3f}"
                )
            ),
            threshold=f"test at the best-validation epoch ≥ final test + {limits['early_stop_margin']}",
            passed=bool((table["stop_test"] >= table["final_test"] + limits["early_stop_margin"]).all())
            if ok
            else None,
        ),
        row(
            claim="noisy_labels_memorised",
            statement="by the end the net has memorised the random training labels: the fall of the test accuracy is overfitting",
            measured=per_run(lambda r: f"final train accuracy (noisy labels) {r.final_train:.3f}"),
            threshold=f"≥ {limits['train_accuracy_min']} (a perfectly clean classifier scores "
            f"{clean_share:.2f} on these labels)",
            passed=bool((table["final_train"] >= limits["train_accuracy_min"]).all()) if ok else None,
        ),
    ]
