"""dfp_layers — XZ20 (its MNIST DNN, layer by layer): the deep frequency principle inside one network. A
fully connected net with equal-width hidden layers is trained on MNIST; the effective target of
the sub-network above hidden layer l is S[l] = (the output of hidden layer l, the labels). The
paper: at initialisation the deeper layers' effective targets sit at higher frequency, but during
training the deeper layers' move to lower frequency faster, and stay there.

"Frequency" is a number: the median (or mean, ``claims.summary``) k0 of the RDF of (S[l], one-hot
labels), on one k0 grid and with the RMS normalisation that makes layers of different scale
comparable (``engines.effective_target``, ``spectral.lfr``). Layers l = 1 … L (the hidden
layers; S[0], the input, never changes). One job trains every seed.

Controls: the frozen net is the opposite the claims must reject (its deeper layers stay higher,
nothing moves); the mean predictor has no layers, so every S[l] is the raw input (no order, no
movement).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import Claim
from ...datasets import caption as dataset_caption
from ...engines.classify import build_model, fit, load_data, with_dataset_name, with_epochs
from ...engines.effective_target import rdf_hook
from ...models.activations import linear_layer_names
from ...training import RunContext, TrainResult, steps_per_epoch
from .. import seed_jobs

PAPER_FIGURE = "Xu & Zhou, AAAI 2021, one MNIST DNN: RDF of each hidden layer's effective target S[l] over training"

runs = seed_jobs  # one job: a net per seed, one after another or batched (``ensemble``)


def datasets(cfg: dict) -> list[str]:
    return [cfg["data"]["dataset"]]


def dataset(cfg: dict) -> str:
    return dataset_caption(cfg["data"]["dataset"])


def hidden_layers(cfg: dict) -> list[int]:
    return list(range(1, len(cfg["net"]["hidden"]) + 1))


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    data = load_data(cfg["data"], ctx)
    models = {seed: build_model(cfg["net"], data, seed) for seed in variant["seeds"]}
    # S[l] is the input of the (l+1)-th linear layer: net.0 reads the image, net.{2l} hidden layer l
    names = linear_layer_names(next(iter(models.values())))
    layers = {layer: names[layer] for layer in hidden_layers(cfg)}
    per_epoch = steps_per_epoch(len(data.y_train), cfg["optimizer"]["batch_size"])
    steps = {epoch * per_epoch for epoch in cfg["rdf"]["measure_epochs"]}
    hook = rdf_hook(data.x_train, data.y_train, data.train.n_classes, layers, cfg["rdf"], steps)
    training = {
        "epochs": cfg["epochs"],
        "log_every": cfg["log_every"],
        "optimizer": cfg["optimizer"],
        "ensemble": cfg.get("ensemble", "auto"),
    }
    return with_dataset_name(fit(training, models, data, ctx, hooks=[hook]), data)


def frequencies(metrics: pd.DataFrame, summary: str) -> pd.DataFrame:
    """Per seed and measured epoch (rows) the summary k0 of each layer (columns)."""
    rows = with_epochs(metrics)
    rows = rows[rows["metric"] == f"{summary}_k0"]
    table = rows.pivot_table(index=["seed", "epoch"], columns="key", values="value", aggfunc="mean")
    table.columns = table.columns.astype(int)
    return table.sort_index()


def decreasing(values) -> bool:
    """Strictly decreasing and all finite (at least two values)."""
    values = np.asarray(values, dtype=float)
    return bool(values.size >= 2 and np.all(np.isfinite(values)) and np.all(np.diff(values) < 0))


def _listed(values) -> str:
    return ", ".join(f"{v:.3g}" for v in values)


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    summary = limits["summary"]
    layers = hidden_layers(cfg)
    table = frequencies(metrics, summary)
    settled_from = limits["settled_fraction"] * cfg["epochs"]
    order, move, notes_order, notes_move, gaps = [], [], [], [], []
    for seed, per_seed in table.groupby(level="seed"):
        per_seed = per_seed.droplevel("seed").reindex(columns=layers)
        first, last = per_seed.iloc[0], per_seed.iloc[-1]
        settled = per_seed[per_seed.index >= settled_from]
        order.append(len(settled) > 0 and all(decreasing(row) for _, row in settled.iterrows()))
        held = sum(decreasing(row) for _, row in settled.iterrows())
        # Effect size: the smallest step down from one layer to the next, relative to the
        # shallower layer's k0, at the judged epochs (negative where the order breaks).
        values = settled.to_numpy(dtype=float)
        gaps.extend((-np.diff(values, axis=1) / values[:, :-1]).min(axis=1))
        notes_order.append(
            f"seed {seed}: epoch {per_seed.index[0]:g}: {_listed(first)} → epoch {per_seed.index[-1]:g}: "
            f"{_listed(last)} (order holds at {held}/{len(settled)} epochs ≥ {settled_from:g})"
        )
        drop = 1 - (last / first).to_numpy(dtype=float)
        move.append(bool(np.all(np.isfinite(drop)) and np.all(np.diff(drop) > 0) and drop[-1] >= limits["min_drop"]))
        notes_move.append(f"seed {seed}: " + _listed(drop))
    return [
        Claim(
            claim="deeper_layers_lower_and_stay",
            statement="during training the deeper layers' effective targets reach lower frequency than the shallower "
            "layers' and stay there",
            measured=f"{summary} k0 of S[1] … S[{layers[-1]}]: " + "; ".join(notes_order),
            threshold=f"{summary} k0 strictly decreases with the layer at every measured epoch ≥ "
            f"{limits['settled_fraction']:g} × {cfg['epochs']} epochs",
            passed=all(order) if order else None,
            note=(
                f"effect size: the smallest adjacent-layer step of {summary} k0 at the judged epochs is "
                f"{np.min(gaps):+.1%} … {np.max(gaps):+.1%} of the shallower layer's (over seeds and judged epochs); a strict order "
                "with no margin, so fragile where the last layers are about 1 % apart"
            )
            if gaps
            else "",
        ),
        Claim(
            claim="deeper_layers_move_lower",
            statement="the deeper the layer, the further its effective target moves to lower frequency during training",
            measured=f"relative drop 1 − {summary} k0(end)/{summary} k0(epoch 0), layers 1 … {layers[-1]}: "
            + "; ".join(notes_move),
            threshold=f"the drop strictly increases with the layer and is ≥ {limits['min_drop']} in the deepest",
            passed=all(move) if move else None,
        ),
    ]
