"""Training a classifier on real images, epoch by epoch: the engine shared by fp_projection,
fp_filter, fp_init_scale (its MNIST part) and basri_label_noise.

An experiment's config names its data as ``{dataset, n_train, n_test}`` and its training as
``{epochs, optimizer: {name, lr, momentum, nesterov, batch_size}, loss}``; the engine loads the
data (the same subset for every run: ``subset_seed``), trains with minibatches drawn as
reshuffled epochs, and logs once per ``log_every`` epochs the full-batch train and test loss and
accuracy, plus whatever the experiment's own hooks measure. ``step`` counts minibatches; every
run logs ``steps_per_epoch`` at step 0 so figures can speak in epochs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
from torch import nn

from .. import datasets
from ..datasets import Dataset
from ..models import classifier
from ..training import RunContext, TrainResult, TrainSpec, steps_per_epoch, train
from ..training.trainer import Hook

EVAL_BATCH = 1000  # samples per forward pass when measuring: bounds memory for VGG-16 on 10k images


@dataclass(frozen=True)
class Data:
    """Train and test split on the run's device; ``train.y`` holds the labels trained on."""

    train: Dataset
    test: Dataset
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def load_data(data_cfg: dict, ctx: RunContext) -> Data:
    """The experiment's dataset block ``{dataset, n_train, n_test, subset_seed}`` on ``ctx.device``."""
    common = dict(root=ctx.data_root, download=ctx.download, seed=data_cfg.get("subset_seed", 0))
    train_set = datasets.load(data_cfg["dataset"], train=True, n=data_cfg.get("n_train"), **common)
    test_set = datasets.load(data_cfg["dataset"], train=False, n=data_cfg.get("n_test"), **common)
    on = dict(device=ctx.device)
    return Data(
        train_set,
        test_set,
        torch.as_tensor(train_set.x, **on),
        torch.as_tensor(train_set.y, **on),
        torch.as_tensor(test_set.x, **on),
        torch.as_tensor(test_set.y, **on),
    )


def build_model(net: dict, data: Data, seed: int, **overrides) -> nn.Module:
    """The classifier of config block ``net`` (``kind`` plus its settings) for ``data``, its
    initialisation drawn from ``seed``."""
    settings = {key: value for key, value in net.items() if key != "kind"} | overrides
    torch.manual_seed(seed)
    return classifier(net["kind"], data.train.image_shape, data.train.n_classes, **settings)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Logits for ``x`` in evaluation mode, ``EVAL_BATCH`` samples at a time."""
    training = model.training
    model.eval()
    try:
        return torch.cat([model(x[i : i + EVAL_BATCH]) for i in range(0, len(x), EVAL_BATCH)])
    finally:
        model.train(training)


def accuracy_hook(splits: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> Hook:
    """Log ``<split>_accuracy`` and ``<split>_loss`` (mean cross-entropy) for every named split."""

    def hook(step: int, model: nn.Module, last: bool):
        for name, (x, y) in splits.items():
            logits = predict(model, x)
            yield f"{name}_accuracy", np.nan, (logits.argmax(1) == y).double().mean().item()
            yield f"{name}_loss", np.nan, nn.functional.cross_entropy(logits, y).item()

    return hook


def fit(
    cfg: dict,
    model: nn.Module,
    data: Data,
    seed: int,
    ctx: RunContext,
    hooks: Iterable[Hook] = (),
    splits: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
) -> TrainResult:
    """Train ``model`` on ``data.train`` for ``cfg["epochs"]`` epochs under ``cfg["optimizer"]``.

    ``splits`` names the labelled sets whose accuracy is logged (default: train and test).
    """
    opt = cfg["optimizer"]
    n = len(data.y_train)
    per_epoch = steps_per_epoch(n, opt.get("batch_size"))
    every = cfg.get("log_every", 1) * per_epoch
    spec = TrainSpec(
        steps=cfg["epochs"] * per_epoch,
        lr=opt["lr"],
        optimizer=opt["name"],
        batch_size=opt.get("batch_size"),
        momentum=opt.get("momentum", 0.0),
        nesterov=opt.get("nesterov", False),
        loss="cross_entropy",
        sampling="epochs",
        log_every=every,
    )
    splits = splits if splits is not None else {"train": (data.x_train, data.y_train), "test": (data.x_test, data.y_test)}

    def epoch_hook(step: int, model: nn.Module, last: bool):
        if step == 0:
            yield "steps_per_epoch", np.nan, per_epoch

    return train(model.to(ctx.device), data.x_train, data.y_train, spec, ctx,
                 hooks=[epoch_hook, accuracy_hook(splits), *hooks], seed=seed)


def with_epochs(metrics: pd.DataFrame) -> pd.DataFrame:
    """``metrics`` with an ``epoch`` column (step / steps_per_epoch of the row's run)."""
    per_epoch = metrics[metrics["metric"] == "steps_per_epoch"].groupby("run")["value"].first()
    return metrics.assign(epoch=metrics["step"] / metrics["run"].map(per_epoch))


def with_dataset_name(result: TrainResult, data: Data) -> TrainResult:
    """``result`` with the dataset's caption (``Dataset.name``) in a ``dataset_name`` column, so a
    figure can title its panels from the metrics alone."""
    return replace(result, records=result.records.assign(dataset_name=data.train.name))
