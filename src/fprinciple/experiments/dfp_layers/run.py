"""dfp_layers, the run side: one job trains a net per seed (one after another or batched,
``ensemble``) with ``engines.classify`` and logs, at ``rdf.measure_epochs``, the LFR/RDF of every
hidden layer's effective target S[l] through ``engines.effective_target``'s hook.

Controls: the frozen net is the opposite the claims must reject (its deeper layers stay higher,
nothing moves); the mean predictor has no layers, so every S[l] is the raw input (no order, no
movement).
"""

from __future__ import annotations

from ...engines.classify import build_model, fit, load_data, with_dataset_name
from ...engines.effective_target import rdf_hook
from ...models.activations import linear_layer_names
from ...training import RunContext, TrainResult, steps_per_epoch
from .. import seed_jobs
from . import hidden_layers

runs = seed_jobs  # one job: a net per seed, one after another or batched (``ensemble``)


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
        "ensemble": cfg["ensemble"],
    }
    return with_dataset_name(fit(training, models, data, ctx, hooks=[hook]), data)
