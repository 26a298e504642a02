"""fp_filter, the run side: one job per dataset trains every net in turn (``engines.classify``), each
for every seed, and logs e_low and e_high of the softmax output on the training inputs every
logged epoch (``spectral.filtering.GaussianFilter``), with the ``even`` control."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ...engines.classify import (
    Interpolant,
    build_model,
    fit,
    load_data,
    memo_by_value,
    planned_steps,
    predict,
    scores,
    with_dataset_name,
)
from ...learners import EVEN
from ...spectral.filtering import GaussianFilter
from ...training import RunContext, TrainResult, combine
from .. import seed_jobs
from . import datasets


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
