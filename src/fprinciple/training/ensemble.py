"""Learning time per member of an ensemble: plain full-batch GD until the loss is below a
threshold, as in Basri et al.'s sweeps (seed 001).

Members are independent (the summed loss has a block-diagonal gradient), so they can be trained
``batch`` at a time: all at once on a GPU, one after another on a CPU. A member's learning time
is the number of GD updates after which its loss is below the threshold; a member still above
it after ``cap`` updates is *not learned* (NaN, never the cap itself) and one whose loss turns
NaN/inf or grows past ``DIVERGENCE_FACTOR`` times its initial loss (the trainer's rule) is
*diverged* (NaN time, ``diverged`` = 1). Finished members leave the batch, so the GPU works only
on the rest.

Per member and learner the records hold ``learning_time``, ``final_loss``, ``zero_loss`` (the loss
of f = 0, the reference for "no progress") and ``diverged``; the trained net also logs
``train_loss`` every ``log_every`` updates.

Negative controls (``training.controls``) cost nothing here: the frozen initial net keeps its
initial loss forever, so it is learned at update 0 or never, and likewise the mean predictor
(each member's target mean); both are recorded for every member (``learner`` column).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from ..learners import FROZEN, MEAN, TRAINED
from ..models import EnsembleMLP
from . import checkpoint
from .context import RunContext
from .timing import LoopTiming, Stopwatch
from .trainer import DIVERGENCE_FACTOR, LOSSES


@dataclass(frozen=True)
class LearningTimeSpec:
    lr: float
    cap: int  # GD updates; a member above the threshold after `cap` updates is not learned
    loss: str = "half_sse"  # what GD descends: half_sse (½Σr²) or mse (mean r²), per member
    threshold: float = 0.05
    relative: bool = False  # compare loss(f)/loss(0) with the threshold instead of loss(f)
    log_every: int = 100  # train_loss rows every this many updates


@dataclass
class LearningTimes:
    records: pd.DataFrame  # columns member, step, metric, key, value, learner
    steps: int  # batched GD updates done (summed over the batches)
    wall_s: float
    resumed_from: int  # updates already done by a resumed checkpoint
    # Per-member updates: planned = cap × members, an upper bound (members stop once learned).
    # The train_loss rows come with the updates' own losses, so no logging is timed apart.
    timing: LoopTiming | None = None


def _member_loss(name: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if name == "half_sse":
        return 0.5 * ((out - y) ** 2).sum(dim=1)
    if name == "mse":
        return ((out - y) ** 2).mean(dim=1)
    raise ValueError(f"unknown loss {name!r}; allowed: {list(LOSSES)}")


def _outcome(i: int, step: int, learned: bool, diverged: bool, final: float, zero: float, learner: str) -> list:
    """The per-member result rows of one learner."""
    return [(i, step, "learning_time", float(step) if learned else np.nan, learner),
            (i, step, "final_loss", float(final), learner),
            (i, step, "zero_loss", float(zero), learner),
            (i, step, "diverged", float(diverged), learner)]


def _control_rows(ids: np.ndarray, losses: dict[str, np.ndarray], zero: np.ndarray, scale: np.ndarray,
                  threshold: float) -> list:
    """The frozen net (its initial loss forever) and the mean predictor, per member: learned at
    update 0 if already below the threshold, else never; never diverged."""
    rows = []
    for learner, values in losses.items():
        for i, loss, z, s in zip(ids, values, zero, scale):
            rows += _outcome(i, 0, loss * s < threshold, False, loss, z, learner)
    return rows


def _train_batch(model: EnsembleMLP, x, y, ids: np.ndarray, spec: LearningTimeSpec, cap: int, state: dict | None,
                 save, bar):
    """GD on the members `ids` of `model` for at most `cap` updates; returns (rows, updates).
    `state` resumes a checkpoint."""
    index = torch.as_tensor(ids, device=x.device)
    model, x, y = model.subset(index), x[index], y[index]
    zero = _member_loss(spec.loss, torch.zeros_like(y), y).cpu().numpy()
    scale = 1.0 / zero if spec.relative else np.ones_like(zero)
    with torch.no_grad():
        initial = _member_loss(spec.loss, model(x), y).cpu().numpy()
    active = np.arange(len(ids))
    rows: list[tuple[int, int, str, float, str]] = []
    step = 0
    if state is None:
        with torch.no_grad():
            mean = _member_loss(spec.loss, y.mean(dim=1, keepdim=True).expand_as(y), y).cpu().numpy()
        rows += _control_rows(ids, {FROZEN: initial, MEAN: mean}, zero, scale, spec.threshold)
    else:
        active, rows, step = state["active"], state["rows"], state["step"]
        model = model.subset(torch.as_tensor(active, device=x.device))
        model.load_state_dict(state["model"])
    x, y = x[active], y[active]
    start_step = step
    params = list(model.parameters())
    while len(active):
        loss = _member_loss(spec.loss, model(x), y)
        values = loss.detach().cpu().numpy()
        if step % spec.log_every == 0:
            rows += [(ids[i], step, "train_loss", v, TRAINED) for i, v in zip(active, values)]
        learned = values * scale[active] < spec.threshold
        diverged = ~np.isfinite(values) | (values > DIVERGENCE_FACTOR * initial[active])
        finished = learned | diverged | (step == cap)
        for j in np.flatnonzero(finished):
            i = active[j]
            rows += _outcome(ids[i], step, learned[j], diverged[j], values[j], zero[i], TRAINED)
        if finished.all():
            break
        model.zero_grad(set_to_none=True)
        loss[~torch.as_tensor(finished, device=loss.device)].sum().backward()
        with torch.no_grad():
            for p in params:
                p -= spec.lr * p.grad
        if finished.any():
            keep = torch.as_tensor(~finished, device=x.device)
            model = model.subset(keep)
            params = list(model.parameters())
            x, y = x[keep], y[keep]
            active = active[~finished]
        step += 1
        bar.update()
        bar.set_postfix(members=len(active), loss=f"{values.max():.2e}", refresh=False)
        if save is not None and step % save.every == 0:
            save({"active": active, "rows": rows, "step": step, "model": model.state_dict()})
    return rows, step - start_step


def learning_times(
    model: EnsembleMLP,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: LearningTimeSpec,
    ctx: RunContext,
    batch: int | None = None,
) -> LearningTimes:
    """Train every member of `model` on its own (x[e], y[e]) and time when it is learned.

    x: (E, n, d), y: (E, n). ``batch`` members train together (None: all of them). Resumes from
    ``ctx.checkpoint`` when it was written under the same settings; ``ctx.max_steps`` lowers the cap.
    """
    members = model.members
    batch = members if batch is None else batch
    done: list = []
    first, resume = 0, None
    saved = checkpoint.load(ctx)
    if saved is not None and saved["batch"] == batch:
        done, first, resume = saved["done"], saved["first"], saved["state"]
        print(f"resumed from checkpoint {ctx.checkpoint} at member {first}", file=sys.stderr)
    resumed_from = resume["step"] if resume else 0

    def saver(first: int):
        def save(state: dict | None) -> None:
            checkpoint.save(ctx, {"batch": batch, "first": first, "done": done, "state": state})
        save.every = ctx.checkpoint_every
        return save if ctx.checkpoint_every else None

    updates = 0
    bar = tqdm(desc=ctx.desc, file=sys.stderr, mininterval=1.0, disable=not ctx.progress, unit="step")
    watch = Stopwatch()
    for lo in range(first, members, batch):
        ids = np.arange(lo, min(lo + batch, members))
        rows, n = _train_batch(model, x, y, ids, spec, ctx.steps(spec.cap), resume, saver(lo), bar)
        done += rows
        updates += n
        resume = None
        if (save := saver(lo + batch)) is not None:
            save(None)  # this batch is finished: a resume starts at the next one
    bar.close()
    frame = pd.DataFrame(done, columns=["member", "step", "metric", "value", "learner"])
    frame.insert(3, "key", np.nan)
    timing = watch.timing(updates, spec.cap * members, planned_logs=0, may_stop_early=True)
    return LearningTimes(frame.astype({"member": int, "step": np.int64}), updates, timing.wall_s, resumed_from, timing)
