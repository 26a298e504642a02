"""Training a classifier on real images, epoch by epoch: the engine shared by fp_projection,
fp_filter, fp_init_scale (its MNIST part) and basri_label_noise.

An experiment's config names its data as ``{dataset, n_train, n_test}`` and its training as
``{epochs, optimizer: {name, lr, momentum, nesterov, batch_size}, loss}``; the engine loads the
data (the same subset for every run: ``subset_seed``), trains with minibatches drawn as
reshuffled epochs, and logs once per ``log_every`` epochs the full-batch train and test loss and
accuracy, plus whatever the experiment's own hooks measure. ``step`` counts minibatches; every
run logs ``steps_per_epoch`` at step 0 so figures can speak in epochs. Besides the trainer's
frozen and mean controls, ``Interpolant`` is a control for claims that one part of the labels is
fitted before another, and ``memo_by_value`` spares hooks re-measuring an output that a control
repeats at every logged epoch.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from .. import datasets
from ..datasets import Dataset
from ..models import classifier
from ..training import RunContext, TrainResult, TrainSpec, evaluation, steps_per_epoch
from ..training.controls import Control
from ..training.seeds import Member, batched, train_seeds
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
    common = dict(root=ctx.data_root, download=ctx.download, seed=data_cfg["subset_seed"])
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
    """Logits for ``x`` in evaluation mode, ``EVAL_BATCH`` samples at a time (in a rehearsal, on
    its evaluation subset: ``training.evaluation``)."""
    training = model.training
    model.eval()
    try:
        return evaluation.forward(
            lambda rows: torch.cat([model(rows[i : i + EVAL_BATCH]) for i in range(0, len(rows), EVAL_BATCH)]), x
        )
    finally:
        model.train(training)


def scores(name: str, logits: torch.Tensor, y: torch.Tensor):
    """``<name>_accuracy`` and ``<name>_loss`` (mean cross-entropy) rows of ``logits`` against
    labels ``y``: for a hook that has the logits anyway (no second forward pass)."""
    yield f"{name}_accuracy", np.nan, (logits.argmax(1) == y).double().mean().item()
    yield f"{name}_loss", np.nan, nn.functional.cross_entropy(logits, y).item()


def accuracy_hook(splits: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> Hook:
    """Log ``<split>_accuracy`` and ``<split>_loss`` (mean cross-entropy) for every named split."""

    def hook(step: int, model: nn.Module, last: bool):
        for name, (x, y) in splits.items():
            yield from scores(name, predict(model, x), y)

    return hook


def memo_by_value(measure: Callable[[np.ndarray], object], size: int = 4) -> Callable[[np.ndarray], object]:
    """``measure`` remembered for the last ``size`` distinct arrays it was given (keyed by their
    bytes): the frozen and mean controls give the same output at every logged step, so a costly
    measure of it (a filter or a non-uniform DFT over the training set) is computed once."""
    cache: OrderedDict = OrderedDict()

    def memoised(values: np.ndarray):
        values = np.ascontiguousarray(values)
        key = (values.shape, values.dtype.str, hashlib.blake2b(values.tobytes(), digest_size=16).digest())
        if key in cache:
            cache.move_to_end(key)
        else:
            cache[key] = measure(values)
            if len(cache) > size:
                cache.popitem(last=False)  # the least recently used
        return cache[key]

    return memoised


class Interpolant(Control):
    """A learner with no frequency preference, for claims that one part of the labels is fitted
    before another: on the training inputs it outputs (1 − c)·prior + c·one-hot(label), c rising
    linearly from 0 at step 0 to 1 at step ``steps``. Its residual is (1 − c) times the mean
    predictor's, at every input alike, so every frequency of the labels is fitted at the same
    rate; it is the prior elsewhere (test inputs). Returns log-probabilities as its logits.

    A probability-valued learner cannot do much better as an opposite (high frequencies first):
    its residual is ≥ 0 at the true class and ≤ 0 elsewhere, i.e. it carries the labels' own
    high-frequency pattern until it is nearly fitted. The training inputs are recognised as row
    slices of ``x_train`` (how ``predict`` batches them).
    """

    def __init__(self, x_train: torch.Tensor, y_train: torch.Tensor, n_classes: int, steps: int):
        super().__init__()
        self.x_train, self.steps, self.share = x_train, max(int(steps), 1), 0.0
        one_hot = nn.functional.one_hot(y_train, n_classes).to(torch.float32)
        self.register_buffer("one_hot", one_hot)
        self.register_buffer("prior", one_hot.mean(dim=0))

    def at(self, step: int) -> Interpolant:
        self.share = min(step / self.steps, 1.0)
        return self

    def _rows(self, x: torch.Tensor) -> slice | None:
        base = self.x_train
        if (
            x.device != base.device
            or x.untyped_storage().data_ptr() != base.untyped_storage().data_ptr()
            or x.dim() != base.dim()
            or x.stride() != base.stride()
        ):
            return None
        start, rest = divmod(x.storage_offset() - base.storage_offset(), base.stride(0))
        return slice(start, start + len(x)) if rest == 0 and 0 <= start and start + len(x) <= len(base) else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = self._rows(x)
        if rows is None:
            return self.prior.log().expand(len(x), -1)
        probabilities = (1 - self.share) * self.prior + self.share * self.one_hot[rows]
        return probabilities.clamp_min(1e-12).log()


def fit(
    cfg: dict,
    models: dict[int, nn.Module],
    data: Data,
    ctx: RunContext,
    hooks: Iterable[Hook] = (),
    splits: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    controls: dict[str, Control] | None = None,
) -> TrainResult:
    """Train each of ``models`` (seed -> its net) on ``data.train`` for ``cfg["epochs"]`` epochs
    under ``cfg["optimizer"]``, one after another or as one batched ensemble (``cfg["ensemble"]``:
    ``training.seeds``; a training block without it (fp_filter, fp_projection, dfp_resnet) trains as
    "auto"); the records get a ``seed`` column.

    ``splits`` names the labelled sets whose accuracy is logged (default: train and test);
    ``controls`` are the experiment's own negative controls (besides frozen and mean).
    """
    opt = cfg["optimizer"]
    n = len(data.y_train)
    per_epoch = steps_per_epoch(n, opt["batch_size"])
    every = cfg["log_every"] * per_epoch
    spec = TrainSpec(
        steps=cfg["epochs"] * per_epoch,
        lr=opt["lr"],
        optimizer=opt["name"],
        batch_size=opt["batch_size"],
        momentum=opt["momentum"],
        nesterov=opt["nesterov"],
        loss="cross_entropy",
        sampling="epochs",
        log_every=every,
    )
    splits = (
        splits if splits is not None else {"train": (data.x_train, data.y_train), "test": (data.x_test, data.y_test)}
    )

    def epoch_hook(step: int, model: nn.Module, last: bool):
        if step == 0:
            yield "steps_per_epoch", np.nan, per_epoch

    hooks = [epoch_hook, accuracy_hook(splits), *hooks]
    members = [
        Member(seed, model.to(ctx.device), data.x_train, data.y_train, hooks=hooks, controls=dict(controls or {}))
        for seed, model in models.items()
    ]
    return train_seeds(members, spec, ctx, batched(cfg.get("ensemble", "auto"), ctx.device))


def planned_steps(cfg: dict, data: Data) -> int:
    """The minibatch steps ``fit`` will take under ``cfg`` (``epochs`` × steps per epoch)."""
    return cfg["epochs"] * steps_per_epoch(len(data.y_train), cfg["optimizer"]["batch_size"])


def with_dataset_name(result: TrainResult, data: Data) -> TrainResult:
    """``result`` with the dataset's caption (``Dataset.name``) in a ``dataset_name`` column, so a
    figure can title its panels from the metrics alone."""
    return replace(result, records=result.records.assign(dataset_name=data.train.name))
