"""fp_filter — seed 004 fig 1.12 (section 1.5.5, eqs. 1.10-1.13): the filtering method on real
images. A DNN, the small CNN and VGG-16 are trained with cross-entropy on MNIST and CIFAR-10
(quick scale: their offline stand-ins), and every logged epoch the softmax output h on the
training inputs is split, like the one-hot labels y, into a low- and a high-frequency part by a
Gaussian filter of width δ over those inputs. The F-Principle predicts that the low part is fitted
first: e_low falls before e_high, for every net, dataset and δ.

Logged per run (on top of the engine's accuracy and loss): ``e_low`` and ``e_high`` with key δ,
and the dataset's caption in a ``dataset_name`` column. The filter over the fixed training inputs
is built once per run, so each epoch pays for one filtered residual, not the pairwise distances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..claims import Claim
from ..models import classifier
from ..spectral.filtering import GaussianFilter
from ..training import TrainResult
from . import RunContext, run_id
from .classify import fit, load_data, predict, with_dataset_name, with_epochs

PAPER_FIGURE = "seed 004 fig 1.12 (XZLXM19 fig. 4: filtering method, DNN/CNN/VGG16 on MNIST and CIFAR-10)"


def datasets(cfg: dict) -> list[str]:
    return [entry["data"]["dataset"] for entry in cfg["datasets"]]


def DATASET(cfg: dict) -> str:
    return ", ".join(datasets(cfg))


def runs(cfg: dict) -> dict[str, dict]:
    """One job per dataset, net and seed."""
    variants = [
        {"dataset": dataset, "net": net, "seed": seed}
        for dataset in datasets(cfg)
        for net in cfg["nets"]
        for seed in cfg["seeds"]
    ]
    return {run_id(variant): variant for variant in variants}


def dataset_entry(cfg: dict, dataset: str) -> dict:
    return next(entry for entry in cfg["datasets"] if entry["data"]["dataset"] == dataset)


def filter_hook(gaussian: GaussianFilter, x: torch.Tensor, labels: torch.Tensor, n_classes: int):
    """Log e_low and e_high (key δ) of the softmax output against the one-hot labels on ``x``."""
    one_hot = nn.functional.one_hot(labels, n_classes).double()

    def hook(step: int, model: nn.Module):
        errors = gaussian.errors(one_hot, predict(model, x).softmax(dim=1))
        deltas = np.array(list(errors))
        yield "e_low", deltas, np.array([errors[d][0] for d in deltas])
        yield "e_high", deltas, np.array([errors[d][1] for d in deltas])

    return hook


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    entry, net = dataset_entry(cfg, variant["dataset"]), cfg["nets"][variant["net"]]
    data = load_data(entry["data"], ctx)
    gaussian = GaussianFilter(
        data.x_train, entry["deltas"], memory_budget=cfg["memory_budget_mb"] * 2**20, device=ctx.device
    )
    torch.manual_seed(variant["seed"])
    settings = {key: value for key, value in net["model"].items() if key != "kind"}
    model = classifier(net["model"]["kind"], data.train.image_shape, data.train.n_classes, **settings)
    hook = filter_hook(gaussian, data.x_train, data.y_train, data.train.n_classes)
    training = {"epochs": net["epochs"], "log_every": cfg["log_every"], "optimizer": net["optimizer"]}
    return with_dataset_name(fit(training, model, data, variant["seed"], ctx, hooks=[hook]), data)


def first_below(metrics: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per run, δ and error (e_low, e_high): the first logged epoch where the error is below
    ``threshold`` (infinity if never), as columns ``e_low`` and ``e_high``."""
    rows = with_epochs(metrics)
    rows = rows[rows["metric"].isin(["e_low", "e_high"])]
    below = rows[rows["value"] < threshold].groupby(["run", "key", "metric"])["epoch"].min()
    every = rows.groupby(["run", "dataset", "net", "seed", "key", "metric"]).size().reset_index()[
        ["run", "dataset", "net", "seed", "key", "metric"]
    ]
    every["epoch"] = every.set_index(["run", "key", "metric"]).index.map(below).astype(float)
    table = every.fillna({"epoch": np.inf}).pivot_table(
        index=["run", "dataset", "net", "seed", "key"], columns="metric", values="epoch"
    )
    return table.reset_index().rename(columns={"key": "delta"})


def claims(metrics: pd.DataFrame, cfg: dict, scale: str) -> list[Claim]:
    limits = cfg["claims"]
    tau = limits["threshold"]
    table = first_below(metrics, tau)
    margin = table["e_high"] - table["e_low"]
    worst = table.loc[margin.idxmin()] if len(table) else None
    per_case = "; ".join(
        f"{key[0]}/{key[1]}: {group['e_low'].max():g} vs {group['e_high'].min():g}"
        for key, group in table.groupby(["dataset", "net"])
    )
    seeds = int(metrics["seed"].nunique())
    low_first = Claim(
        experiment="fp_filter",
        claim="low_frequency_fitted_first",
        statement=(
            "for every net (DNN, CNN, VGG16), dataset and filter width δ, the low-frequency part of the "
            "labels is fitted first: e_low falls below the threshold before e_high does"
        ),
        measured=(
            f"worst margin epoch(e_high < {tau}) − epoch(e_low < {tau}) = {margin.min():g} epochs "
            f"({worst['run']}, δ = {worst['delta']:g}); per dataset/net, latest e_low vs earliest e_high epoch: {per_case}"
            if worst is not None
            else "no e_low/e_high logged"
        ),
        threshold=f"epoch(e_low < {tau}) < epoch(e_high < {tau}) (never = ∞) for every run and δ, {len(table)} cases",
        passed=bool(len(table) > 0 and (table["e_low"] < table["e_high"]).all()),
        scale=scale,
        seeds=seeds,
    )
    return [low_first]
