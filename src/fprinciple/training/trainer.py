"""One small, flat training loop shared by every gradient-trained experiment.

Metric hooks are called at step 0, every `log_every` steps and at the last step; each returns
(metric, key, value) triples that become tidy rows. The loop checkpoints every
`checkpoint_every` steps (model, optimizer, batch RNG and the metrics logged so far), so a
killed job resumes where it stopped and ends with exactly the metrics of an uninterrupted run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm import tqdm

from ..io import atomic_path

OPTIMIZERS = ("gd", "sgd", "adam")
LOSSES = ("mse", "half_sse", "cross_entropy")
SAMPLINGS = ("replacement", "epochs")

# A hook sees (step, model) and returns (metric, key, value) triples; key/value may be arrays.
Hook = Callable[[int, nn.Module], Iterable[tuple[str, object, object]]]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


@dataclass(frozen=True)
class TrainSpec:
    steps: int
    lr: float
    optimizer: str = "adam"
    batch_size: int | None = None  # None: full batch
    momentum: float = 0.0
    nesterov: bool = False
    loss: str = "mse"  # cross_entropy: y holds class indices, the model outputs logits
    sampling: str = "replacement"  # minibatches drawn with replacement, or "epochs": reshuffled passes
    loss_threshold: float | None = None  # stop at the first step whose full-batch loss is below
    log_every: int = 100
    log_steps: tuple[int, ...] = ()  # extra steps to log at (figure snapshots)
    checkpoint_every: int = 0  # 0: never


@dataclass
class TrainResult:
    records: pd.DataFrame  # columns step, metric, key, value
    steps: int  # the last step reached
    stopped_by: str  # "steps" or "loss_threshold"
    wall_s: float
    steps_per_s: float
    resumed_from: int  # 0 for a fresh start


def choose_device(preference: str = "auto") -> torch.device:
    """CUDA when asked for or available ("auto"), else CPU."""
    if preference == "auto":
        preference = "cuda" if torch.cuda.is_available() else "cpu"
    if preference == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device: cuda was requested but no CUDA GPU is visible; use device: auto or cpu")
    return torch.device(preference)


def _loss_fn(name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    if name == "mse":
        return lambda out, y: torch.mean((out - y) ** 2)
    if name == "half_sse":
        return lambda out, y: 0.5 * torch.sum((out - y) ** 2)
    if name == "cross_entropy":
        return nn.functional.cross_entropy
    raise ValueError(f"unknown loss {name!r}; allowed: {list(LOSSES)}")


def _optimizer(spec: TrainSpec, params) -> torch.optim.Optimizer:
    if spec.optimizer in ("gd", "sgd"):
        return torch.optim.SGD(params, lr=spec.lr, momentum=spec.momentum, nesterov=spec.nesterov)
    if spec.optimizer == "adam":
        return torch.optim.Adam(params, lr=spec.lr)
    raise ValueError(f"unknown optimizer {spec.optimizer!r}; allowed: {list(OPTIMIZERS)}")


def _records_frame(records: list[tuple[int, str, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    if not records:
        return pd.DataFrame({"step": [], "metric": [], "key": [], "value": []})
    sizes = [len(values) for _, _, _, values in records]
    return pd.DataFrame(
        {
            "step": np.repeat([step for step, *_ in records], sizes).astype(np.int64),
            "metric": np.repeat([metric for _, metric, _, _ in records], sizes),
            "key": np.concatenate([keys for *_, keys, _ in records]).astype(np.float64),
            "value": np.concatenate([values for *_, values in records]).astype(np.float64),
        }
    )


def steps_per_epoch(n: int, batch_size: int | None) -> int:
    """Minibatch steps in one pass over ``n`` samples (the last partial batch is dropped)."""
    return 1 if batch_size is None or batch_size >= n else n // batch_size


def _epoch_batch(step: int, n: int, batch_size: int, seed: int) -> torch.Tensor:
    """Indices of minibatch ``step`` when every epoch is a fresh seeded permutation of the data.

    The permutation depends only on (seed, epoch), so a resumed run draws exactly the batches
    an uninterrupted one would, with no generator state to save.
    """
    epoch, position = divmod(step, steps_per_epoch(n, batch_size))
    return _epoch_order(n, seed, epoch)[position * batch_size : (position + 1) * batch_size]


@lru_cache(maxsize=1)
def _epoch_order(n: int, seed: int, epoch: int) -> torch.Tensor:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))


def train(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: TrainSpec,
    hooks: Iterable[Hook] = (),
    seed: int = 0,
    checkpoint: str | Path | None = None,
    fingerprint: str = "",
    progress: bool = True,
    desc: str = "",
) -> TrainResult:
    """Train `model` on (x, y) under `spec`, logging hook metrics; resumes from `checkpoint`.

    `fingerprint` identifies the run's settings: a checkpoint written under other settings is
    ignored rather than resumed.
    """
    loss_fn = _loss_fn(spec.loss)
    optimizer = _optimizer(spec, model.parameters())
    if spec.optimizer == "gd" and spec.batch_size is not None:
        raise ValueError("optimizer gd is full-batch: set batch_size to null or use optimizer sgd")
    if spec.sampling not in SAMPLINGS:
        raise ValueError(f"unknown sampling {spec.sampling!r}; allowed: {list(SAMPLINGS)}")
    batches = torch.Generator().manual_seed(seed + 1)
    records: list[tuple[int, str, np.ndarray, np.ndarray]] = []
    step = 0

    if checkpoint is not None and Path(checkpoint).exists():
        state = torch.load(checkpoint, weights_only=False)
        if state["fingerprint"] == fingerprint:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            batches.set_state(state["batches"])
            records, step = state["records"], state["step"]
            print(f"resumed from checkpoint {checkpoint} at step {step}", file=sys.stderr)
        else:
            print(f"ignoring checkpoint {checkpoint}: written under other settings", file=sys.stderr)
    resumed_from = step

    def log(step: int, loss: float) -> None:
        records.append((step, "train_loss", np.array([np.nan]), np.array([loss])))
        for hook in hooks:
            for metric, key, value in hook(step, model):
                value = np.atleast_1d(np.asarray(value, dtype=np.float64))
                key = np.broadcast_to(np.asarray(key, dtype=np.float64), value.shape)
                records.append((step, metric, key, value))

    def save() -> None:
        with atomic_path(checkpoint) as tmp:
            torch.save(
                {
                    "fingerprint": fingerprint,
                    "step": step,
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "batches": batches.get_state(),
                    "records": records,
                },
                tmp,
            )

    n = x.shape[0]
    full_batch = spec.batch_size is None or spec.batch_size >= n
    stopped_by = "steps"
    bar = tqdm(total=spec.steps, initial=step, desc=desc, file=sys.stderr, mininterval=1.0,
               disable=not progress, unit="step")
    start = time.perf_counter()
    while True:
        if full_batch:
            xb, yb = x, y
        else:
            if spec.sampling == "epochs":
                idx = _epoch_batch(step, n, spec.batch_size, seed)
            else:
                idx = torch.randint(n, (spec.batch_size,), generator=batches)
            xb, yb = x[idx.to(x.device)], y[idx.to(x.device)]
        loss = loss_fn(model(xb), yb)
        reached = False
        if spec.loss_threshold is not None and full_batch:
            reached = loss.item() < spec.loss_threshold
        if step % spec.log_every == 0 or step in spec.log_steps or step == spec.steps or reached:
            loss_value = loss.item()
            if not np.isfinite(loss_value):
                raise TrainingDiverged(
                    f"{desc}: training loss became {loss_value} by step {step}; lower the learning "
                    "rate (optimizer.lr) or the initialisation scale (model.init_std) in the config"
                )
            log(step, loss_value)
            bar.set_postfix(loss=f"{loss_value:.3e}", refresh=False)
        if reached:
            stopped_by = "loss_threshold"
            break
        if step == spec.steps:
            break
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        bar.update()
        if checkpoint is not None and spec.checkpoint_every and step % spec.checkpoint_every == 0:
            save()
    bar.close()
    wall = time.perf_counter() - start
    return TrainResult(
        records=_records_frame(records),
        steps=step,
        stopped_by=stopped_by,
        wall_s=wall,
        steps_per_s=(step - resumed_from) / wall if wall > 0 else float("nan"),
        resumed_from=resumed_from,
    )
