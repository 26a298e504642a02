"""Training one net per seed, one after another or as one batched ensemble.

A claim about training is judged seed by seed (``fprinciple.claims``), so an experiment trains
the same net from many initialisations. Small nets waste a CPU step on Python and autograd
overhead; trained together, their parameters stacked along a leading seed axis and every step one
``torch.func.vmap`` over ``functional_call`` plus one optimizer step, they share that overhead.
The members are independent (the summed loss has a block-diagonal gradient, and SGD and Adam act
element-wise), and each is built, initialised and fed minibatches exactly as it would be alone,
so both ways give the same nets up to the summation order of batched matrix products.

Each member keeps its own ``nn.Module`` whose parameters are views into the stacked tensors, so
the experiment's hooks and controls see an ordinary net and run unchanged. A member whose
full-batch loss falls below ``TrainSpec.loss_threshold``, or whose own stopping rule says its run
has answered its question (``Member.stop``), logs its last step and stops logging (it keeps being
updated with the others, unobserved; the ensemble stops when every member has). Checkpoints hold
the whole ensemble.

``batched(mode, device)`` reads an experiment's ``ensemble`` setting: ``auto`` batches on a GPU
and trains one at a time on a CPU, where a config that measured batching faster says
``batched`` (the Basri sweeps' convention, ``engines.sweep``).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ..learners import FROZEN, TRAINED
from . import checkpoint
from .context import RunContext
from .controls import Control, standard
from .timing import LoopTiming, Stopwatch, logging_points
from .trainer import (
    SAMPLINGS,
    Hook,
    Stop,
    TrainResult,
    TrainSpec,
    _check_divergence,
    _initial_loss,
    _optimizer,
    _result,
    batch_indices,
    combine,
    records_frame,
    train,
)

ENSEMBLE_MODES = ("auto", "batched", "sequential")


def batched(mode: str, device: torch.device) -> bool:
    """Whether a config's ``ensemble`` mode trains its seeds together on ``device``."""
    if mode not in ENSEMBLE_MODES:
        raise ValueError(f"unknown ensemble mode {mode!r}; allowed: {list(ENSEMBLE_MODES)}")
    return mode == "batched" or (mode == "auto" and device.type == "cuda")


@dataclass
class Member:
    """One seed's net, its training data (x, y), its metric hooks and its extra controls."""

    seed: int
    model: nn.Module
    x: torch.Tensor
    y: torch.Tensor
    hooks: list[Hook] = field(default_factory=list)
    controls: dict[str, Control] = field(default_factory=dict)
    stop: Stop | None = None  # its own stopping rule (stateful rules need one per member)


def train_seeds(members: list[Member], spec: TrainSpec, ctx: RunContext, together: bool) -> TrainResult:
    """Train every member under ``spec``: as one batched ensemble (``together``) or one after
    another (each a part of the job, with its own checkpoint). The records get a ``seed`` column."""
    if not together or len(members) == 1:
        return combine(
            [
                (
                    {"seed": m.seed},
                    train(
                        m.model,
                        m.x,
                        m.y,
                        spec,
                        ctx if len(members) == 1 else ctx.part(f"seed-{m.seed}"),
                        m.hooks,
                        seed=m.seed,
                        controls=m.controls,
                        stop=m.stop,
                    ),
                )
                for m in members
            ]
        )
    return _train_together(members, spec, ctx)


def seeds_in_turn(
    run_one: Callable[[dict, dict, RunContext], TrainResult],
) -> Callable[[dict, dict, RunContext], TrainResult]:
    """A job's ``run`` that trains each of its ``seeds`` in turn with ``run_one(cfg, variant,
    ctx)``, the run of one seed (its variant gets ``seed``), each seed a checkpointed part: one
    Python start-up for nets too large to batch, yet cheap enough that start-up counts."""

    def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
        seeds = variant["seeds"]
        return combine(
            [
                (
                    {"seed": seed},
                    run_one(cfg, {**variant, "seed": seed}, ctx if len(seeds) == 1 else ctx.part(f"seed-{seed}")),
                )
                for seed in seeds
            ]
        )

    return run


def _member_losses(name: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each member's loss (the trainer's ``spec.loss``) of stacked outputs (S, n, ...) and targets."""
    dims = tuple(range(1, out.ndim))
    if name == "mse":
        return ((out - y) ** 2).mean(dim=dims)
    if name == "half_sse":
        return 0.5 * ((out - y) ** 2).sum(dim=dims)
    if name == "l4":
        return ((out - y) ** 4).mean(dim=dims)
    if name == "cross_entropy":
        return vmap(nn.functional.cross_entropy)(out, y)
    raise ValueError(f"unknown loss {name!r}")


def _bind(module: nn.Module, stacked: dict[str, torch.Tensor], index: int) -> None:
    """Make ``module``'s parameters views of row ``index`` of the stacked tensors."""
    for name, tensor in stacked.items():
        *path, leaf = name.split(".")
        owner = module.get_submodule(".".join(path))
        owner._parameters[leaf] = nn.Parameter(tensor.detach()[index], requires_grad=False)


def _train_together(members: list[Member], spec: TrainSpec, ctx: RunContext) -> TrainResult:
    if spec.optimizer == "gd" and spec.batch_size is not None:
        raise ValueError("optimizer gd is full-batch: set batch_size to null or use optimizer sgd")
    if spec.sampling not in SAMPLINGS:
        raise ValueError(f"unknown sampling {spec.sampling!r}; allowed: {list(SAMPLINGS)}")
    if any(dict(m.model.named_buffers()) for m in members):
        raise ValueError(
            "training seeds together needs nets without buffers (e.g. no batch norm); set ensemble: sequential"
        )
    # Controls first: the frozen copy of each initial net, before its parameters become views.
    learners = [standard(m.model, m.y, spec.loss) | m.controls for m in members]
    params, _ = stack_module_state([m.model for m in members])
    for i, m in enumerate(members):
        _bind(m.model, params, i)
    base = copy.deepcopy(members[0].model).to("meta")
    names = list(params)

    def forward(flat: tuple[torch.Tensor, ...], x: torch.Tensor) -> torch.Tensor:
        return functional_call(base, dict(zip(names, flat)), (x,))

    shared = all(m.x is members[0].x for m in members)
    x = members[0].x if shared else torch.stack([m.x for m in members])
    y = torch.stack([m.y for m in members])
    n = members[0].x.shape[0]
    seeds = [m.seed for m in members]
    optimizer = _optimizer(spec, list(params.values()))
    generators = [torch.Generator().manual_seed(seed + 1) for seed in seeds]
    records: list[list] = [[] for _ in members]
    stopped_at: list[int | None] = [None] * len(members)
    stopped_by = ["steps" if ctx.steps(spec.steps) == spec.steps else "max_steps"] * len(members)
    step, steps = 0, ctx.steps(spec.steps)

    state = checkpoint.load(ctx)
    if state is not None:
        if state.get("finished"):
            print(f"resumed from checkpoint {ctx.checkpoint}: finished at step {state['step']}", file=sys.stderr)
            return _finished(state, members, spec)
        with torch.no_grad():
            for name, tensor in params.items():
                tensor.copy_(state["params"][name])
        optimizer.load_state_dict(state["optimizer"])
        for g, saved in zip(generators, state["batches"]):
            g.set_state(saved)
        for controls, frozen in zip(learners, state["frozen"]):
            controls[FROZEN].model.load_state_dict(frozen)
        records, stopped_at, stopped_by, step = (
            state["records"],
            state["stopped_at"],
            state["stopped_by"],
            state["step"],
        )
        print(f"resumed from checkpoint {ctx.checkpoint} at step {step}", file=sys.stderr)
    resumed_from = step

    def log(i: int, step: int, xb: torch.Tensor, yb: torch.Tensor, loss: float, last: bool) -> None:
        member = members[i]
        for name, learner in [(TRAINED, member.model), *learners[i].items()]:
            net = learner if name == TRAINED else learner.at(step)
            if name != TRAINED:
                with torch.no_grad():
                    loss = _member_losses(spec.loss, net(xb)[None], yb[None]).item()
            records[i].append((step, name, "train_loss", np.array([np.nan]), np.array([loss])))
            for hook in member.hooks:
                for metric, key, value in hook(step, net, last):
                    value = np.atleast_1d(np.asarray(value, dtype=np.float64))
                    key = np.broadcast_to(np.asarray(key, dtype=np.float64), value.shape)
                    records[i].append((step, name, metric, key, value))

    def save(**extra) -> None:
        checkpoint.save(
            ctx,
            {
                "step": step,
                "params": {k: v.detach() for k, v in params.items()},
                "optimizer": optimizer.state_dict(),
                "batches": [g.get_state() for g in generators],
                "frozen": [controls[FROZEN].model.state_dict() for controls in learners],
                "records": records,
                "stopped_at": stopped_at,
                "stopped_by": stopped_by,
                **extra,
            },
        )

    full_batch = spec.batch_size is None or spec.batch_size >= n
    rows = torch.arange(len(members), device=y.device)[:, None]
    bar = ctx.progress_bar(total=steps, initial=step, unit="step")
    watch = Stopwatch()
    while True:
        if full_batch:
            xb, yb = x, y
        else:
            idx = torch.stack([batch_indices(spec, step, n, seed, g) for seed, g in zip(seeds, generators)]).to(
                y.device
            )
            xb, yb = (x[idx] if shared else x[rows, idx]), y[rows, idx]
        out = vmap(forward, in_dims=(0, None if shared and full_batch else 0))(tuple(params.values()), xb)
        losses = _member_losses(spec.loss, out, yb)
        values = losses.detach().cpu().numpy()
        logged = False
        for i in range(len(members)):
            if stopped_at[i] is not None:
                continue
            reached = spec.loss_threshold is not None and full_batch and values[i] < spec.loss_threshold
            due = step % spec.log_every == 0 or step in spec.log_steps
            answered = due and members[i].stop is not None and step > 0 and members[i].stop(records[i])
            last = reached or answered or step == steps
            if due or last:
                _check_divergence(float(values[i]), _initial_loss(records[i]), step, spec, ctx.part(f"seed-{seeds[i]}"))
                with watch.logging():
                    log(i, step, xb if shared and full_batch else xb[i], yb[i], float(values[i]), last)
                logged = True
            if reached:
                stopped_by[i] = "loss_threshold"
            elif answered:
                stopped_by[i] = "answered"
            if last:
                stopped_at[i] = step
        if logged:
            bar.set_postfix(loss=f"{values.mean():.3e}", refresh=False)
        if all(s is not None for s in stopped_at):
            break
        optimizer.zero_grad(set_to_none=True)
        losses.sum().backward()
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
        may_stop_early=spec.loss_threshold is not None or any(m.stop for m in members),
    )
    finished = {
        "finished": True,
        "step": step,
        "stopped_at": stopped_at,
        "stopped_by": stopped_by,
        "wall_s": timing.wall_s,
        "trained_steps": step - resumed_from,
        "resumed_from": resumed_from,
        "records": records,
        "timing": asdict(timing),
    }
    if ctx.checkpoint_every:
        # The records alone: a job killed before its outputs were registered resumes instantly.
        checkpoint.save(ctx, finished)
    return _finished(finished, members, spec)


def _finished(state: dict, members: list[Member], spec: TrainSpec) -> TrainResult:
    """One result for the ensemble: every member's records with its seed, one loop's timing."""
    timing = LoopTiming(**state["timing"]) if "timing" in state else None
    result = _result(
        [],
        state["step"],
        ",".join(dict.fromkeys(state["stopped_by"])),
        state["wall_s"],
        state["trained_steps"],
        state["resumed_from"],
        spec,
        timing,
    )
    result.records = pd.concat(
        [records_frame(r).assign(seed=m.seed) for r, m in zip(state["records"], members)], ignore_index=True
    )
    return result
