"""dfp_resnet, the run side: ``models.resnet.ResNet18`` removes the second block of the last
``blocks_removed`` stages, so the head keeps its input size. One job per variant, training each
seed in turn (``engines.classify``); every ``log_every`` epochs the training and validation
accuracy and loss, and at ``rdf.measure_epochs`` the LFR/RDF of S[−3] on the first
``rdf.n_samples`` training images (``engines.effective_target``; layer label −3). Validation =
the dataset's test split (the paper holds 10,000 of CIFAR-10's training images out; the test
split is another 10,000 unseen images of the same distribution).

Controls: the frozen nets (accuracy at chance, an effective target that never moves) and the
mean predictor (the class prior; no layers, so its S[−3] is the raw image).
"""

from __future__ import annotations

from ...engines.classify import build_model, fit, load_data, with_dataset_name
from ...engines.effective_target import rdf_hook
from ...models.resnet import ResNet18
from ...training import RunContext, TrainResult, steps_per_epoch
from .. import seed_jobs
from . import EFFECTIVE_LAYER


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
