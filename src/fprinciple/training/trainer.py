"""One small, flat training loop shared by every gradient-trained experiment.

Metric hooks are called at step 0, every `log_every` steps and at the last step, with the trained
network and with each negative control (``training.controls``: the frozen initial network, the
mean predictor, and any control the experiment adds); each returns (metric, key, value) triples
that become tidy rows, tagged with the learner in a ``learner`` column. The loop checkpoints
every `checkpoint_every` steps (model, optimizer, batch RNG, frozen control and the metrics
logged so far) and once more when it finishes, so a killed job resumes where it stopped, skips a
part that was already finished, and ends with exactly the metrics of an uninterrupted run.
A logged loss that is NaN/inf or has grown past ``DIVERGENCE_FACTOR`` times its step-0 value
stops the run (TrainingDiverged) instead of logging a blow-up as if it were a result.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..errors import UserError
from ..learners import FROZEN, TRAINED
from . import checkpoint
from .context import RunContext
from .controls import Control, standard
from .timing import LoopTiming, Stopwatch, logging_points

OPTIMIZERS = ("gd", "sgd", "adam")
LOSSES = ("mse", "half_sse", "l4", "cross_entropy")
SAMPLINGS = ("replacement", "epochs")

# A hook sees (step, model, last) and returns (metric, key, value) triples; key/value may be
# arrays. `last` is true at the final logged step, whatever stopped the run.
Hook = Callable[[int, nn.Module, bool], Iterable[tuple[str, object, object]]]
# A loss the fixed ``TrainSpec.loss`` names cannot express (e.g. a PDE residual, which
# differentiates the output by its input): objective(model, xb, yb) -> scalar tensor.
Objective = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
# A stopping rule on what a run logged so far (its records: (step, learner, metric, keys, values)):
# true once the run has answered its experiment's question (e.g. every peak converged), checked at
# each logged step before logging it, which then is the last.
Stop = Callable[[list], bool]


# A run stops as diverged when its logged training loss exceeds this multiple of its step-0 loss
# (or is NaN/inf). Training that works lowers the loss, and even a loss that oscillates under too
# high a learning rate stays within a few orders of magnitude; four orders up is a blow-up (Adam
# at lr 1000 reaches 1e8 in a few hundred steps). The initial value, not the best, is the
# reference: Adam's loss spikes near convergence jump by orders of magnitude over a tiny minimum.
DIVERGENCE_FACTOR = 1e4


class TrainingDiverged(UserError, RuntimeError):
    """The loss became NaN or infinite, or grew past ``divergence_factor`` times its initial value."""


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
    divergence_factor: float | None = DIVERGENCE_FACTOR  # stop when loss > factor x step-0 loss; None: off


@dataclass
class TrainResult:
    records: pd.DataFrame  # columns step, metric, key, value
    steps: int  # the last step reached
    stopped_by: str  # "steps", "loss_threshold", "answered" (the run's stop rule) or "max_steps" (a rehearsal)
    wall_s: float
    steps_per_s: float
    resumed_from: int  # 0 for a fresh start
    planned_steps: int | None = None  # the steps the settings ask for (before any truncation)
    # One per training loop the job ran (steps vs logging, planned vs done): the cost table's input.
    timings: tuple[LoopTiming, ...] = ()


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
    if name == "l4":
        return lambda out, y: torch.mean((out - y) ** 4)
    if name == "cross_entropy":
        return nn.functional.cross_entropy
    raise ValueError(f"unknown loss {name!r}; allowed: {list(LOSSES)}")


def _optimizer(spec: TrainSpec, params) -> torch.optim.Optimizer:
    if spec.optimizer in ("gd", "sgd"):
        return torch.optim.SGD(params, lr=spec.lr, momentum=spec.momentum, nesterov=spec.nesterov)
    if spec.optimizer == "adam":
        return torch.optim.Adam(params, lr=spec.lr)
    raise ValueError(f"unknown optimizer {spec.optimizer!r}; allowed: {list(OPTIMIZERS)}")


def records_frame(records: list[tuple[int, str, str, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """The tidy table (step, metric, key, value, learner) of the (step, learner, metric, keys,
    values) tuples a training loop collects; shared by every loop that logs through hooks."""
    if not records:
        return pd.DataFrame({"step": [], "metric": [], "key": [], "value": [], "learner": []})
    sizes = [len(values) for *_, values in records]
    return pd.DataFrame(
        {
            "step": np.repeat([step for step, *_ in records], sizes).astype(np.int64),
            "metric": np.repeat([metric for _, _, metric, _, _ in records], sizes),
            "key": np.concatenate([keys for *_, keys, _ in records]).astype(np.float64),
            "value": np.concatenate([values for *_, values in records]).astype(np.float64),
            "learner": np.repeat([learner for _, learner, *_ in records], sizes),
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


def batch_indices(spec: TrainSpec, step: int, n: int, seed: int, generator: torch.Generator) -> torch.Tensor:
    """The minibatch of ``step`` among ``n`` samples: a slice of a seeded permutation of the
    epoch (``sampling: epochs``), or a draw with replacement from ``generator``."""
    if spec.sampling == "epochs":
        return _epoch_batch(step, n, spec.batch_size, seed)
    return torch.randint(n, (spec.batch_size,), generator=generator)


@lru_cache(maxsize=1)
def _epoch_order(n: int, seed: int, epoch: int) -> torch.Tensor:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))


def train(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: TrainSpec,
    ctx: RunContext,
    hooks: Iterable[Hook] = (),
    seed: int = 0,
    controls: dict[str, Control] | None = None,
    objective: Objective | None = None,
    stop: Stop | None = None,
) -> TrainResult:
    """Train `model` on (x, y) under `spec`, logging hook metrics for it and for its controls
    (the standard ones plus `controls`); checkpoints and resumes through `ctx`; `stop` may end
    the run at a logged step before ``spec.steps``.

    `objective`, if given, replaces ``spec.loss`` as the loss, for the trained network and for
    the controls' ``train_loss`` alike: ``objective(net, xb, yb)``, where ``y`` is whatever it
    compares with (the mean control is still the mean of ``y``). The controls' loss is then not
    computed under ``no_grad``, so an objective may differentiate a control's output by its input.
    """
    fixed_loss = _loss_fn(spec.loss)

    def loss_fn(net: nn.Module, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        return objective(net, xb, yb) if objective is not None else fixed_loss(net(xb), yb)

    optimizer = _optimizer(spec, model.parameters())
    if spec.optimizer == "gd" and spec.batch_size is not None:
        raise ValueError("optimizer gd is full-batch: set batch_size to null or use optimizer sgd")
    if spec.sampling not in SAMPLINGS:
        raise ValueError(f"unknown sampling {spec.sampling!r}; allowed: {list(SAMPLINGS)}")
    hooks = list(hooks)
    learners = standard(model, y, spec.loss) | (controls or {})
    batches = torch.Generator().manual_seed(seed + 1)
    records: list[tuple[int, str, str, np.ndarray, np.ndarray]] = []
    step = 0
    steps = ctx.steps(spec.steps)

    state = checkpoint.load(ctx)
    if state is not None:
        if state.get("finished"):
            print(f"resumed from checkpoint {ctx.checkpoint}: finished at step {state['step']}", file=sys.stderr)
            timing = LoopTiming(**state["timing"]) if "timing" in state else None
            return _result(
                state["records"],
                state["step"],
                state["stopped_by"],
                state["wall_s"],
                state["trained_steps"],
                state["resumed_from"],
                spec,
                timing,
            )
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        learners[FROZEN].model.load_state_dict(state["frozen"])
        batches.set_state(state["batches"])
        records, step = state["records"], state["step"]
        print(f"resumed from checkpoint {ctx.checkpoint} at step {step}", file=sys.stderr)
    resumed_from = step

    def log(step: int, xb: torch.Tensor, yb: torch.Tensor, loss: float, last: bool) -> None:
        for name, learner in [(TRAINED, model), *learners.items()]:
            net = learner if name == TRAINED else learner.at(step)
            if name != TRAINED:
                with torch.set_grad_enabled(objective is not None):
                    loss = loss_fn(net, xb, yb).item()
            records.append((step, name, "train_loss", np.array([np.nan]), np.array([loss])))
            for hook in hooks:
                for metric, key, value in hook(step, net, last):
                    value = np.atleast_1d(np.asarray(value, dtype=np.float64))
                    key = np.broadcast_to(np.asarray(key, dtype=np.float64), value.shape)
                    records.append((step, name, metric, key, value))

    def save(**extra) -> None:
        checkpoint.save(
            ctx,
            {
                "step": step,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "frozen": learners[FROZEN].model.state_dict(),
                "batches": batches.get_state(),
                "records": records,
                **extra,
            },
        )

    n = x.shape[0]
    full_batch = spec.batch_size is None or spec.batch_size >= n
    stopped_by = "steps" if steps == spec.steps else "max_steps"
    bar = ctx.progress_bar(total=steps, initial=step, unit="step")
    watch = Stopwatch()
    while True:
        if full_batch:
            xb, yb = x, y
        else:
            idx = batch_indices(spec, step, n, seed, batches).to(x.device)
            xb, yb = x[idx], y[idx]
        loss = loss_fn(model, xb, yb)
        reached = False
        if spec.loss_threshold is not None and full_batch:
            reached = loss.item() < spec.loss_threshold
        due = step % spec.log_every == 0 or step in spec.log_steps
        answered = due and stop is not None and step > 0 and stop(records)
        last = reached or answered or step == steps
        if due or last:
            loss_value = loss.item()
            _check_divergence(loss_value, _initial_loss(records), step, spec, ctx)
            with watch.logging():
                log(step, xb, yb, loss_value, last)
            bar.set_postfix(loss=f"{loss_value:.3e}", refresh=False)
        if reached:
            stopped_by = "loss_threshold"
        elif answered:
            stopped_by = "answered"
        if last:
            break
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        bar.update()
        if ctx.checkpoint_every and step % ctx.checkpoint_every == 0:
            save()
    bar.close()
    timing = watch.timing(
        step - resumed_from,
        spec.steps,
        logging_points(spec.steps, spec.log_every, spec.log_steps),
        may_stop_early=spec.loss_threshold is not None or stop is not None,
    )
    if ctx.checkpoint_every:
        # The records alone: a job killed before its outputs were registered resumes instantly.
        checkpoint.save(
            ctx,
            {
                "finished": True,
                "step": step,
                "stopped_by": stopped_by,
                "wall_s": timing.wall_s,
                "trained_steps": step - resumed_from,
                "resumed_from": resumed_from,
                "records": records,
                "timing": asdict(timing),
            },
        )
    return _result(records, step, stopped_by, timing.wall_s, step - resumed_from, resumed_from, spec, timing)


def _initial_loss(records) -> float | None:
    """The trained network's step-0 training loss (also after a resume: it is in the records)."""
    return next(
        (values[0] for _, learner, metric, _, values in records if learner == TRAINED and metric == "train_loss"), None
    )


def _check_divergence(loss: float, initial: float | None, step: int, spec: TrainSpec, ctx: RunContext) -> None:
    """Raise TrainingDiverged for a NaN/inf loss or one past ``spec.divergence_factor`` x its initial value.

    The message says what happened; the runner adds the config keys of the experiment to lower.
    """
    if not np.isfinite(loss):
        what = f"training loss became {loss} by step {step}"
    elif spec.divergence_factor and initial and initial > 0 and loss > spec.divergence_factor * initial:
        what = (
            f"training loss grew from {initial:.3g} at step 0 to {loss:.3g} at step {step}, more than "
            f"{spec.divergence_factor:g} times its initial value (trainer.DIVERGENCE_FACTOR)"
        )
    else:
        return
    where = f"{ctx.desc}: " if ctx.desc else ""
    raise TrainingDiverged(f"{where}{what}; lower the learning rate or the initialisation scale")


def combine(parts: list[tuple[dict, TrainResult]]) -> TrainResult:
    """One result of a job that trained several nets in turn; each part's records get the
    columns of its dict (e.g. ``{"init_std": 2.0}``)."""
    results = [result for _, result in parts]
    steps, wall = sum(r.steps for r in results), sum(r.wall_s for r in results)
    trained = sum(r.steps - r.resumed_from for r in results)
    return TrainResult(
        records=pd.concat([r.records.assign(**columns) for columns, r in parts], ignore_index=True),
        steps=steps,
        stopped_by=",".join(r.stopped_by for r in results),
        wall_s=wall,
        steps_per_s=trained / wall if wall > 0 and trained else float("nan"),
        resumed_from=sum(r.resumed_from for r in results),
        planned_steps=sum(r.planned_steps or 0 for r in results),
        timings=tuple(t for r in results for t in r.timings),
    )


def _result(
    records,
    step: int,
    stopped_by: str,
    wall: float,
    trained_steps: int,
    resumed_from: int,
    spec: TrainSpec,
    timing: LoopTiming | None,
) -> TrainResult:
    return TrainResult(
        records=records_frame(records),
        steps=step,
        stopped_by=stopped_by,
        wall_s=wall,
        steps_per_s=trained_steps / wall if wall > 0 and trained_steps else float("nan"),
        resumed_from=resumed_from,
        planned_steps=spec.steps,
        timings=(timing,) if timing is not None else (),
    )
