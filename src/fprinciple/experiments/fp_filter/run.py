"""fp_filter — XZLXM19 fig. 4 (lecture notes fig. 1.12, §1.5.5, eqs. 1.10-1.13): the filtering method on real
images. A DNN, the small CNN and VGG-16 are trained with cross-entropy on MNIST and CIFAR-10
(quick scale: their offline stand-ins), and every logged epoch the softmax output h on the
training inputs is split, like the one-hot labels y, into a low- and a high-frequency part by a
Gaussian filter of width δ over those inputs. The F-Principle predicts that the low part is fitted
first: e_low falls before e_high, for every net, dataset and δ.

The errors are compared relative to their values at epoch 0. Raw, e_low starts below e_high by
construction (a near-uniform softmax has h_high ≈ 0, so e_high = 1, while its low part already
matches the labels' mean, so e_low < 1, and at large δ far below 1): a learner that fits every
frequency at the same rate would then cross any threshold with e_low first. The ``even`` control
(``classify.Interpolant``) is that learner; on relative errors it ties, as it must.

One job per dataset trains every net in turn (one checkpointed part each), each for every seed.
Logged per net (on top of the engine's accuracy and loss): ``e_low`` and ``e_high`` with key δ,
and the dataset's caption in a ``dataset_name`` column. The filter over the fixed training inputs is built
once per job, and the errors of an output already measured (the frozen and mean controls repeat
theirs at every epoch) are remembered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from ...claims import Claim
from ...datasets import caption as dataset_caption
from ...engines.classify import (
    EVEN,
    Interpolant,
    build_model,
    fit,
    load_data,
    memo_by_value,
    planned_steps,
    predict,
    scores,
    with_dataset_name,
    with_epochs,
)
from ...spectral.filtering import GaussianFilter
from ...training import RunContext, TrainResult, combine
from .. import seed_jobs

PAPER_FIGURE = (
    "Xu et al., CiCP 2020, fig. 4: filtering method, DNN/CNN/VGG16 on MNIST and CIFAR-10 (lecture notes fig. 1.12)"
)
CASE = ["run", "dataset", "net", "seed", "delta"]
PAPER_NETS = ("dnn", "cnn", "vgg16")
# Each dataset × net is a condition of its own (δ is analysis, not a training condition); a claim
# pools their nets (reproduced when it holds in significantly more than half and fails in most
# seeds of none: docs/experiments/fp_filter.md).
CONDITIONS = ("dataset", "net")


def datasets(cfg: dict) -> list[str]:
    return [entry["data"]["dataset"] for entry in cfg["datasets"]]


def dataset(cfg: dict) -> str:
    return "; ".join(map(dataset_caption, datasets(cfg)))


def runs(cfg: dict) -> dict[str, dict]:
    """One job per dataset; it trains every net for every seed (the data and its filter are built
    once)."""
    return seed_jobs(cfg, dataset=datasets(cfg))


def dataset_entry(cfg: dict, dataset: str) -> dict:
    return next(entry for entry in cfg["datasets"] if entry["data"]["dataset"] == dataset)


def filter_hook(gaussian: GaussianFilter, x: torch.Tensor, labels: torch.Tensor, n_classes: int):
    """Log e_low and e_high (key δ) of the softmax output against the one-hot labels on ``x``, and
    the train accuracy and loss from the same logits."""
    one_hot = nn.functional.one_hot(labels, n_classes).double()
    errors = memo_by_value(lambda h: gaussian.errors(one_hot, torch.from_numpy(h)))

    def hook(step: int, model: nn.Module, last: bool):
        logits = predict(model, x)
        yield from scores("train", logits, labels)
        by_delta = errors(logits.softmax(dim=1).double().cpu().numpy())
        deltas = np.array(list(by_delta))
        yield "e_low", deltas, np.array([by_delta[d][0] for d in deltas])
        yield "e_high", deltas, np.array([by_delta[d][1] for d in deltas])

    return hook


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    entry = dataset_entry(cfg, variant["dataset"])
    data = load_data(entry["data"], ctx)
    gaussian = GaussianFilter(
        data.x_train, entry["deltas"], memory_budget=cfg["memory_budget_mb"] * 2**20, device=ctx.device
    )
    hook = filter_hook(gaussian, data.x_train, data.y_train, data.train.n_classes)
    parts = []
    for name, net in cfg["nets"].items():
        part = ctx.part(f"net-{name}")
        training = {"epochs": net["epochs"], "log_every": cfg["log_every"], "optimizer": net["optimizer"]}
        even = Interpolant(data.x_train, data.y_train, data.train.n_classes, part.steps(planned_steps(training, data)))
        models = {seed: build_model(net["model"], data, seed) for seed in variant["seeds"]}
        result = fit(
            training,
            models,
            data,
            part,
            hooks=[hook],
            splits={"test": (data.x_test, data.y_test)},
            controls={EVEN: even},
        )
        parts.append(({"net": name}, result))
    return with_dataset_name(combine(parts), data)


def relative_errors(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per case (run, dataset, net, seed, δ) and logged epoch: e_low and e_high, raw and divided
    by their epoch-0 values (``rel_low``, ``rel_high``)."""
    rows = with_epochs(metrics, by=("run", "net"))
    rows = rows[rows["metric"].isin(["e_low", "e_high"])]
    table = rows.pivot_table(index=[*CASE[:-1], "key", "epoch"], columns="metric", values="value").reset_index()
    table = table.rename(columns={"key": "delta"}).sort_values([*CASE, "epoch"])
    start = table.groupby(CASE)[["e_low", "e_high"]].transform("first")
    with np.errstate(divide="ignore", invalid="ignore"):
        return table.assign(
            rel_low=table["e_low"] / start["e_low"],
            rel_high=table["e_high"] / start["e_high"],
            start_low=start["e_low"],
        )


def crossings(metrics: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per case: the first logged epoch at which each relative error is below ``threshold``
    (columns ``low``, ``high``; infinity if never) and the raw e_low at epoch 0 (``start_low``)."""

    def first(epochs: np.ndarray, below: np.ndarray) -> float:
        return float(epochs[np.argmax(below)]) if below.any() else np.inf

    rows = []
    for case, group in relative_errors(metrics).groupby(CASE, sort=True):
        epochs = group["epoch"].to_numpy()
        rows.append(
            (
                *case,
                first(epochs, group["rel_low"].to_numpy() < threshold),
                first(epochs, group["rel_high"].to_numpy() < threshold),
                group["start_low"].iloc[0],
            )
        )
    return pd.DataFrame(rows, columns=[*CASE, "low", "high", "start_low"])


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    tau = cfg["claims"]["threshold"]
    table = crossings(metrics, tau)
    # Both parts must be fitted within the run, as in the paper's figure: a part that never
    # crosses the threshold counts as the worst margin.
    crossed = np.isfinite(table["low"]) & np.isfinite(table["high"])
    table["margin"] = np.where(crossed, table["high"] - table["low"], -np.inf)
    nets = "/".join(cfg["nets"])
    missing = [net for net in PAPER_NETS if net not in cfg["nets"]]
    scale_note = (
        (
            f"{', '.join(missing)} (a net of the paper's figure) not in this config's nets: checked where "
            "configured (docs/experiments/fp_filter.md)"
        )
        if missing
        else ""
    )
    head_start = int((table["start_low"] < tau).sum())
    raw_note = (
        f"errors relative to epoch 0: raw e_low starts below e_high by construction (uniform softmax: e_high = 1); "
        f"in {head_start} of {len(table)} cases raw e_low(0) < {tau} already, which the raw reading would count at "
        "epoch 0; a learner fitting every frequency at the same rate (control 'even') ties on relative errors"
    )

    def worst(frame: pd.DataFrame, column: str, unit: str) -> str:
        if frame.empty:
            return "nothing logged"
        row = frame.loc[frame[column].idxmin()]
        per_pair = frame.groupby(["dataset", "net"])[column].min()
        listed = "; ".join(f"{dataset}/{net} {value:.3g}" for (dataset, net), value in per_pair.items())
        return f"worst {row[column]:.3g}{unit} ({row['run']} {row['net']}, δ = {row['delta']:g}); worst per dataset/net: {listed}"

    return [
        Claim(
            claim="low_frequency_fitted_first",
            statement=(
                f"for every net ({nets}), dataset and filter width δ, the low-frequency part of the labels is "
                "fitted first: e_low falls below the threshold before e_high does"
            ),
            measured=(
                f"e_high/e_high(0) fell below {tau} within the run in {int(np.isfinite(table['high']).sum())} of "
                f"{len(table)} cases, e_low/e_low(0) in {int(np.isfinite(table['low']).sum())}; margin "
                f"epoch(e_high/e_high(0) < {tau}) − epoch(e_low/e_low(0) < {tau}): {worst(table, 'margin', ' epochs')}"
            ),
            threshold=(
                f"both e_low/e_low(0) and e_high/e_high(0) fall below {tau} within the run, e_low at an earlier "
                f"logged epoch, for every δ"
            ),
            passed=bool((table["margin"] > 0).all()) if len(table) else None,
            note="; ".join(filter(None, [raw_note, scale_note])),
            conditions=CONDITIONS,
            pooled=True,
        ),
    ]
