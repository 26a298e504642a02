"""Learning time per frequency (BJKK19): the run side of basri_shallow_1d, basri_shallow_2d and
basri_deep (their analysis side: ``analysis.sweep``).

A sweep trains one net per (net variant, k, seed) on a pure frequency-k target and records the
GD iteration at which it is learned. A job trains the members of `k_per_job` frequencies × all
seeds, as one batched ensemble or one member at a time (`ensemble`); every member draws
its data and weights from its own (seed, k) generator, so both ways give the same times.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..families.sweep import frequencies, net_loss, net_lr
from ..models import EnsembleMLP
from ..training import RunContext, TrainResult
from ..training.ensemble import LearningTimeSpec, learning_times

ENSEMBLE_MODES = ("auto", "batched", "sequential")

# data(rng, k, cfg) -> (x (n, d), y (n,)), n may differ by member; build(generators, cfg, net) -> EnsembleMLP
Data = Callable[[np.random.Generator, int, dict], tuple[np.ndarray, np.ndarray]]
Build = Callable[[list[torch.Generator], dict, dict], EnsembleMLP]


def padded(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
    """Members' point sets of different sizes stacked with zero padding, and the weights that
    count a member's own points (1) and not the padding (0); None when all sizes agree."""
    n = max(len(a) for a in arrays)
    if all(len(a) == n for a in arrays):
        return np.stack(arrays), None
    stacked = np.zeros((len(arrays), n, *arrays[0].shape[1:]), dtype=np.result_type(*arrays))
    weights = np.zeros((len(arrays), n))
    for i, a in enumerate(arrays):
        stacked[i, : len(a)], weights[i, : len(a)] = a, 1.0
    return stacked, weights


def runs(cfg: dict) -> dict[str, dict]:
    """One job per net variant and block of `k_per_job` frequencies, each with every seed."""
    ks, size = frequencies(cfg), cfg["k_per_job"]
    out = {}
    for net in cfg["nets"]:
        for block in (ks[i : i + size] for i in range(0, len(ks), size)):
            span = f"{block[0]}" if len(block) == 1 else f"{block[0]}-{block[-1]}"
            out[f"net-{net}_k-{span}"] = {"net": net, "ks": block, "seeds": list(cfg["seeds"])}
    return out


def batch_size(mode: str, device: torch.device, members: int) -> int:
    """Members trained together: all on a GPU, one at a time on a CPU under "auto" (memory stays
    one member's; a config may still choose "batched", faster on a CPU for small nets)."""
    if mode not in ENSEMBLE_MODES:
        raise ValueError(f"unknown ensemble mode {mode!r}; allowed: {list(ENSEMBLE_MODES)}")
    if mode == "auto":
        mode = "batched" if device.type == "cuda" else "sequential"
    return members if mode == "batched" else 1


def run_sweep(cfg: dict, variant: dict, ctx: RunContext, data: Data, build: Build) -> TrainResult:
    members = [(k, seed) for k in variant["ks"] for seed in variant["seeds"]]
    xs, ys, generators = [], [], []
    for k, seed in members:
        rng = np.random.default_rng([seed, k])
        x, y = data(rng, k, cfg)
        xs.append(x)
        ys.append(y)
        generators.append(torch.Generator().manual_seed(int(rng.integers(2**62))))
    net = cfg["nets"][variant["net"]]
    model = build(generators, cfg, net).to(ctx.device)
    loss, relative = net_loss(cfg, net)
    spec = LearningTimeSpec(
        lr=net_lr(cfg, net),
        cap=net["cap"],
        loss=loss,
        threshold=cfg["loss_threshold"],
        relative=relative,
        log_every=cfg["log_every"],
        update=cfg["update"],
    )

    def as_tensor(a):
        return None if a is None else torch.as_tensor(a, dtype=torch.float32, device=ctx.device)

    (x, _), (y, weights) = padded(xs), padded(ys)
    result = learning_times(
        model,
        as_tensor(x),
        as_tensor(y),
        spec,
        ctx,
        batch=batch_size(cfg["ensemble"], ctx.device, len(members)),
        weights=as_tensor(weights),
    )
    records = result.records
    k_of, seed_of = np.array(members).T
    records.insert(0, "seed", seed_of[records["member"]])
    records["k"] = k_of[records["member"]]
    return TrainResult(
        records=records.drop(columns="member"),
        steps=result.steps,
        stopped_by="learned_or_cap",
        wall_s=result.wall_s,
        steps_per_s=result.steps / result.wall_s if result.wall_s > 0 else float("nan"),
        resumed_from=result.resumed_from,
        planned_steps=spec.cap * len(members),
        timings=(result.timing,),
    )
