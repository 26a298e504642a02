"""dfp_resnet — XZ20 (its ResNet-18 experiment): ResNet-18 on CIFAR-10 with residual blocks removed
(−1 … −4), the fully connected head kept. The head's three linear layers are the learning
component; its effective target is S[−3] = (the pooled features entering the head, the labels).
The paper: the nets with more residual blocks train faster and generalise better, and their
effective target is lower-frequency and stays there.

``models.resnet.ResNet18`` removes the second block of the last ``blocks_removed`` stages, so the
head keeps its input size. One run per variant and seed; every ``log_every`` epochs the training
and validation accuracy and loss, and at ``rdf.measure_epochs`` the LFR/RDF of S[−3] on the first
``rdf.n_samples`` training images (``engines.effective_target``; layer label −3). Validation =
the dataset's test split (the paper holds 10,000 of CIFAR-10's training images out; the test
split is another 10,000 unseen images of the same distribution).

Controls: the frozen nets (accuracy at chance, an effective target that never moves) and the
mean predictor (the class prior; no layers, so its S[−3] is the raw image).

At the quick scale the nets are too small and short-trained to order reliably across seeds: the
quick config lists these claims under ``claims.not_reproduced`` (see ``fprinciple.claims``), so
their rows are computed and shown but never pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import Claim
from ...datasets import caption as dataset_caption
from ...engines.classify import build_model, fit, load_data, with_dataset_name, with_epochs
from ...engines.effective_target import rdf_hook
from ...models.resnet import ResNet18
from ...training import RunContext, TrainResult, steps_per_epoch
from .. import seed_jobs

PAPER_FIGURE = (
    "Xu & Zhou, AAAI 2021, ResNet-18 with residual blocks removed on CIFAR-10: accuracy per epoch and "
    "RDF of the head's effective target S[−3]"
)
EFFECTIVE_LAYER = -3  # S[−3]: the input of the last three (fully connected) layers


def datasets(cfg: dict) -> list[str]:
    return [cfg["data"]["dataset"]]


def dataset(cfg: dict) -> str:
    return dataset_caption(cfg["data"]["dataset"])


def runs(cfg: dict) -> dict[str, dict]:
    """One job per variant, training each seed in turn."""
    return seed_jobs(cfg, blocks_removed=cfg["blocks_removed"])


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    data = load_data(cfg["data"], ctx)
    models = {
        seed: build_model(cfg["net"], data, seed, blocks_removed=variant["blocks_removed"]) for seed in variant["seeds"]
    }
    per_epoch = steps_per_epoch(len(data.y_train), cfg["optimizer"]["batch_size"])
    steps = {epoch * per_epoch for epoch in cfg["rdf"]["measure_epochs"]}
    hook = rdf_hook(
        data.x_train,
        data.y_train,
        data.train.n_classes,
        {EFFECTIVE_LAYER: ResNet18.LEARNING_COMPONENT},
        cfg["rdf"],
        steps,
    )
    training = {"epochs": cfg["epochs"], "log_every": cfg["log_every"], "optimizer": cfg["optimizer"]}
    splits = {"train": (data.x_train, data.y_train), "validation": (data.x_test, data.y_test)}
    return with_dataset_name(fit(training, models, data, ctx, hooks=[hook], splits=splits), data)


def per_variant(metrics: pd.DataFrame, metric: str, key: float | None = None) -> pd.DataFrame:
    """Rows (blocks_removed, seed), columns epoch: the metric's value (at ``key``, if given)."""
    rows = with_epochs(metrics)
    rows = rows[(rows["metric"] == metric) & ((rows["key"] == key) if key is not None else True)]
    return rows.pivot_table(index=["blocks_removed", "seed"], columns="epoch", values="value", aggfunc="mean")


def first_epoch_reaching(curves: pd.DataFrame, level: float) -> pd.Series:
    """Per row, the first logged epoch whose value is ≥ ``level`` (NaN: never)."""
    reached = curves.ge(level)
    epochs = curves.columns.to_numpy(dtype=float)
    return pd.Series(
        np.where(reached.any(axis=1), epochs[reached.to_numpy().argmax(axis=1)], np.nan), index=curves.index
    )


def _order(values: pd.Series, direction: int) -> bool:
    """Seed means strictly rise (+1) or fall (−1) with blocks_removed; every one finite."""
    v = values.sort_index().to_numpy(dtype=float)
    return bool(len(v) >= 2 and np.all(np.isfinite(v)) and np.all(direction * np.diff(v) > 0))


def _seed_mean(per_run: pd.Series) -> pd.Series:
    """Mean over seeds per variant, NaN where any seed has none (never reached, not measured)."""
    grouped = per_run.groupby(level="blocks_removed")
    return grouped.mean().where(grouped.apply(lambda s: s.notna().all()))


def _listed(values: pd.Series, fmt: str = ".3g") -> str:
    return ", ".join(
        f"−{int(r)}: " + ("never" if np.isnan(v) else format(v, fmt)) for r, v in values.sort_index().items()
    )


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    summary = limits["summary"]

    variants = f"blocks removed {', '.join(map(str, sorted(cfg['blocks_removed'])))}"

    train_accuracy = per_variant(metrics, "train_accuracy")
    reach = _seed_mean(first_epoch_reaching(train_accuracy, limits["train_accuracy"]))
    validation = per_variant(metrics, "validation_accuracy")
    final_validation = _seed_mean(validation.iloc[:, -1]) if validation.shape[1] else pd.Series(dtype=float)
    learned = bool(len(final_validation) and (final_validation >= limits["min_validation_accuracy"]).all())

    frequency = per_variant(metrics, f"{summary}_k0", EFFECTIVE_LAYER)
    first = _seed_mean(frequency.iloc[:, 0]) if frequency.shape[1] else pd.Series(dtype=float)
    last = _seed_mean(frequency.iloc[:, -1]) if frequency.shape[1] else pd.Series(dtype=float)
    drop = 1 - last / first
    moved = bool(len(drop) and np.all(np.isfinite(drop)) and (drop >= limits["min_drop"]).all())
    return [
        Claim(
            claim="more_blocks_train_faster",
            statement="the nets with more residual blocks train faster",
            measured=f"mean first epoch with training accuracy ≥ {limits['train_accuracy']:g}, by blocks removed: {_listed(reach)}",
            threshold=f"strictly rises with the number of blocks removed ({variants}), every run reaching it",
            passed=_order(reach, +1),
        ),
        Claim(
            claim="more_blocks_generalise_better",
            statement="the nets with more residual blocks reach a better validation accuracy",
            measured=f"mean final validation accuracy by blocks removed: {_listed(final_validation)}",
            threshold=f"strictly falls with the number of blocks removed ({variants}), each ≥ "
            f"{limits['min_validation_accuracy']:g}",
            passed=learned and _order(final_validation, -1),
        ),
        Claim(
            claim="deeper_effective_target_lower",
            statement="the effective target S[−3] of the deeper nets' learning component moves to, and ends at, "
            "lower frequency",
            measured=f"mean {summary} k0 of S[−3] at the last measured epoch: {_listed(last)}; relative drop from "
            f"epoch 0: {_listed(drop)}",
            threshold=f"the final {summary} k0 strictly rises with the number of blocks removed ({variants}), and "
            f"falls by ≥ {limits['min_drop']:g} during training in every variant",
            passed=moved and _order(last, +1),
        ),
    ]
