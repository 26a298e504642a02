"""basri_label_noise, the run side: per seed, hold out a validation set, corrupt the training and
validation labels (``noisy_split``), train the classifier with ``engines.classify`` and log train,
validation and clean test accuracy per logged epoch, with each split's share of true labels."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ...engines.classify import Data, build_model, fit, load_data, with_dataset_name
from ...training import RunContext, TrainResult
from ...training.seeds import seeds_in_turn
from .. import seed_jobs

AUTHORS_WEIGHT_STD = 0.01  # MNIST/optimize.py: tf.random_normal(..., stddev=.01)
AUTHORS_BIAS_RANGE = 1.0  # tf.random_uniform([k], -1, 1)

runs = seed_jobs  # one job: each seed in turn (one Python start-up)


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
    if cfg["authors_init"]:
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
