"""Learning time per member of an ensemble: plain full-batch GD until the loss is below a
threshold, as in Basri et al.'s sweeps.

Members are independent (the summed loss has a block-diagonal gradient), so they can be trained
``batch`` at a time: all at once on a GPU, one after another on a CPU. A member's learning time
is the number of GD updates after which its loss is below the threshold; a member still above
it after ``cap`` updates is *not learned* (NaN, never the cap itself) and one whose loss turns
NaN/inf or grows past ``DIVERGENCE_FACTOR`` times its initial loss (the trainer's rule) is
*diverged* (NaN time, ``diverged`` = 1). Finished members leave the batch, so the GPU works only
on the rest. Each GD update is autograd's or, for the shallow Basri net, the compiled update with
its gradient written out (``training.fused``; ``LearningTimeSpec.update``).

Per member and learner the records hold ``learning_time``, ``final_loss``, ``zero_loss`` (the loss
of f = 0, the reference for "no progress") and ``diverged``; the trained net also logs
``train_loss`` every ``log_every`` updates.

A classifier (``loss="cross_entropy"``) outputs C logits per point and y holds the class
indices. Members may have different numbers of points (e.g. the authors' residual run keeps only
the points where |sin| > 2/3): they are padded to one length and ``weights`` (1 on a point, 0 on
padding) make each member's loss the mean over its own points.

Negative controls (``training.controls``) cost nothing here: the frozen initial net keeps its
initial loss forever, so it is learned at update 0 or never, and likewise the mean predictor
(each member's target mean); both are recorded for every member (``learner`` column).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import torch

from ..learners import FROZEN, MEAN, TRAINED
from ..models import EnsembleMLP
from . import checkpoint, fused
from .context import RunContext
from .timing import LoopTiming, Stopwatch
from .trainer import DIVERGENCE_FACTOR, LOSSES


@dataclass(frozen=True)
class LearningTimeSpec:
    lr: float
    cap: int  # GD updates; a member above the threshold after `cap` updates is not learned
    loss: str = "half_sse"  # what GD descends, per member: half_sse (½Σr²), mse (mean r²) or cross_entropy (mean)
    threshold: float = 0.05
    relative: bool = False  # compare loss(f)/loss(0) with the threshold instead of loss(f)
    log_every: int = 100  # train_loss rows every this many updates
    update: str = "autograd"  # "fused": the shallow net's compiled explicit gradient (training.fused)


@dataclass
class LearningTimes:
    records: pd.DataFrame  # columns member, step, metric, key, value, learner
    steps: int  # member-updates computed, one per member per update (its last, unneeded one included)
    wall_s: float
    resumed_from: int  # updates already done by a resumed checkpoint
    # Steps are member-updates: planned = cap × members, an upper bound (members stop once
    # learned). Its "logs" are the batches' set-ups (initial losses, controls, compilation in the
    # first): the train_loss rows come with the updates' own losses.
    timing: LoopTiming | None = None


def _member_loss(name: str, out: torch.Tensor, y: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Each member's loss (E,): out (E, n) and targets y (E, n), or for cross_entropy logits
    (E, n, C) and class indices y (E, n); `weights` (E, n) count a point (1) or not (0, padding)."""
    if name == "cross_entropy":
        point = torch.nn.functional.cross_entropy(out.transpose(1, 2), y.long(), reduction="none")
    elif name in ("half_sse", "mse"):
        point = (out - y) ** 2
    else:
        raise ValueError(f"unknown loss {name!r}; allowed: {list(LOSSES)}")
    if name == "half_sse":
        return 0.5 * (point if weights is None else point * weights).sum(dim=1)
    return point.mean(dim=1) if weights is None else (point * weights).sum(dim=1) / weights.sum(dim=1)


def _constant_outputs(name: str, like: torch.Tensor, y: torch.Tensor, weights: torch.Tensor | None):
    """The outputs of f = 0 and of the mean predictor (each member's mean target; for a
    classifier the log of its class frequencies), shaped like the net's output `like`."""
    w = torch.ones_like(y) if weights is None else weights
    if name == "cross_entropy":
        onehot = torch.nn.functional.one_hot(y.long(), like.shape[-1]).to(like.dtype)
        frequencies = (onehot * w[..., None]).sum(dim=1, keepdim=True) / w.sum(dim=1)[:, None, None]
        return torch.zeros_like(like), torch.log(frequencies.clamp_min(torch.finfo(like.dtype).tiny)).expand_as(like)
    mean = (
        y.mean(dim=1, keepdim=True)
        if weights is None
        else (y * w).sum(dim=1, keepdim=True) / w.sum(dim=1, keepdim=True)
    )
    return torch.zeros_like(y), mean.expand_as(y)


def _outcome(i: int, step: int, learned: bool, diverged: bool, final: float, zero: float, learner: str) -> list:
    """The per-member result rows of one learner (plain Python values: they go to checkpoints)."""
    i = int(i)
    return [
        (i, step, "learning_time", float(step) if learned else np.nan, learner),
        (i, step, "final_loss", float(final), learner),
        (i, step, "zero_loss", float(zero), learner),
        (i, step, "diverged", float(diverged), learner),
    ]


def _control_rows(
    ids: np.ndarray, losses: dict[str, np.ndarray], zero: np.ndarray, scale: np.ndarray, threshold: float
) -> list:
    """The frozen net (its initial loss forever) and the mean predictor, per member: learned at
    update 0 if already below the threshold, else never; never diverged."""
    rows = []
    for learner, values in losses.items():
        for i, loss, z, s in zip(ids, values, zero, scale):
            rows += _outcome(i, 0, loss * s < threshold, False, loss, z, learner)
    return rows


def _autograd_update(model: EnsembleMLP, x, y, w, lr: float, loss: str) -> torch.Tensor:
    """One GD update of every member by autograd; returns the losses before it. Members are
    independent, so a diverged member's gradient never reaches another's parameters."""
    values = _member_loss(loss, model(x), y, w)
    model.zero_grad(set_to_none=True)
    values.sum().backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    return values.detach()


def _updater(model: EnsembleMLP, spec: LearningTimeSpec, x, y, w):
    """The GD update `spec.update` names, as update(model, x, y, w) -> losses before it."""
    if spec.update == "autograd":
        return lambda model, x, y, w: _autograd_update(model, x, y, w, spec.lr, spec.loss)
    if spec.update != "fused":
        raise ValueError(f"unknown update {spec.update!r}; allowed: {list(fused.UPDATES)}")
    if (why := fused.supports(model, spec.loss, w)) is not None:
        raise ValueError(f"update: fused cannot train this net: {why}; set update: autograd")
    fused.warm_up(model, x, y, spec.lr, spec.loss)  # compiled (or loaded) here, not in a timed update
    return lambda model, x, y, w: fused.gd_update(model, x, y, spec.lr, spec.loss)


def _train_batch(
    model: EnsembleMLP,
    x,
    y,
    w,
    ids: np.ndarray,
    spec: LearningTimeSpec,
    cap: int,
    state: dict | None,
    save,
    bar,
    watch: Stopwatch,
):
    """GD on the members `ids` of `model` for at most `cap` updates; returns (rows, updates).
    `w`: point weights or None; `state` resumes a checkpoint."""
    # The batch's set-up (a member's, one at a time) is timed as one of the loop's logs: a fixed
    # cost per batch, which a rehearsal's few updates must not spread over its steps.
    with watch.logging():
        index = torch.as_tensor(ids, device=x.device)
        model, x, y = model.subset(index), x[index], y[index]
        w = None if w is None else w[index]
        loss_of = partial(_member_loss, spec.loss)
        with torch.no_grad():
            out = model(x)
            initial = loss_of(out, y, w).cpu().numpy()
            zero_out, mean_out = _constant_outputs(spec.loss, out, y, w)
            zero = loss_of(zero_out, y, w).cpu().numpy()
        scale = 1.0 / zero if spec.relative else np.ones_like(zero)
        active = np.arange(len(ids))
        rows: list[tuple[int, int, str, float, str]] = []
        step = 0
        if state is None:
            with torch.no_grad():
                mean = loss_of(mean_out, y, w).cpu().numpy()
            rows += _control_rows(ids, {FROZEN: initial, MEAN: mean}, zero, scale, spec.threshold)
        else:
            active, rows, step = state["active"].numpy(), state["rows"], state["step"]
            model = model.subset(torch.as_tensor(active, device=x.device))
            model.load_state_dict(state["model"])
        x, y = x[active], y[active]
        w = None if w is None else w[active]
        update = _updater(model, spec, x, y, w)
    member_updates = 0
    while len(active):
        values = update(model, x, y, w).cpu().numpy()  # the losses before this update
        member_updates += len(active)  # work done, also where the update turns out not to be needed
        if step % spec.log_every == 0:
            rows += [(int(ids[i]), step, "train_loss", float(v), TRAINED) for i, v in zip(active, values)]
        learned = values * scale[active] < spec.threshold
        diverged = ~np.isfinite(values) | (values > DIVERGENCE_FACTOR * initial[active])
        finished = learned | diverged | (step == cap)
        for j in np.flatnonzero(finished):
            i = active[j]
            rows += _outcome(ids[i], step, learned[j], diverged[j], values[j], zero[i], TRAINED)
        if finished.all():
            break  # the update just made is discarded with the members
        if finished.any():  # the finished members leave with the update they were just given
            keep = torch.as_tensor(~finished, device=x.device)
            model = model.subset(keep)
            x, y = x[keep], y[keep]
            w = None if w is None else w[keep]
            active = active[~finished]
        step += 1
        bar.update()
        bar.set_postfix(members=len(active), loss=f"{values.max():.2e}", refresh=False)
        if save is not None and step % save.every == 0:
            save({"active": torch.from_numpy(active), "rows": rows, "step": step, "model": model.state_dict()})
    return rows, member_updates


def learning_times(
    model: EnsembleMLP,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: LearningTimeSpec,
    ctx: RunContext,
    batch: int | None = None,
    weights: torch.Tensor | None = None,
) -> LearningTimes:
    """Train every member of `model` on its own (x[e], y[e]) and time when it is learned.

    x: (E, n, d), y: (E, n); `weights` (E, n): 1 on a member's points, 0 on padding (None: every
    point counts). ``batch`` members train together (None: all of them). Resumes from
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
    bar = ctx.progress_bar(unit="step")
    watch = Stopwatch()
    for lo in range(first, members, batch):
        ids = np.arange(lo, min(lo + batch, members))
        rows, n = _train_batch(model, x, y, weights, ids, spec, ctx.steps(spec.cap), resume, saver(lo), bar, watch)
        done += rows
        updates += n
        resume = None
        if (save := saver(lo + batch)) is not None:
            save(None)  # this batch is finished: a resume starts at the next one
    bar.close()
    frame = pd.DataFrame(done, columns=["member", "step", "metric", "value", "learner"])
    frame.insert(3, "key", np.nan)
    batches = -(-members // batch)
    timing = watch.timing(updates, spec.cap * members, planned_logs=batches, may_stop_early=True, fixed_logs=True)
    return LearningTimes(frame.astype({"member": int, "step": np.int64}), updates, timing.wall_s, resumed_from, timing)
