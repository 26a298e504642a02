"""fp_image — seed 004 fig 1.7 (X18): a fully connected net memorises a grey photograph as the
function (x, y) → grey level, and captures the coarse image before the fine detail.

The camera-man photograph (scikit-image, 512 × 512) is the target, at full size or
downsampled with anti-aliasing (``image.size``); pixel coordinates are scaled to [−1, 1]² and
the net is trained with MSE on all pixels (or minibatches). Every logged step records the
relative errors e_low and e_high of the output's low- and high-frequency parts (ideal radial
mask in the 2-D Fourier domain, ``spectral.image``) at each cutoff; the snapshot steps record
the output image itself, and step 0 the target (key = flat pixel index, row-major).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from skimage.transform import resize

from ..claims import Claim
from ..datasets import load_camera
from ..models import MLP, evaluate
from ..spectral.dft import convergence_steps
from ..spectral.image import radial_errors
from ..training import RunContext, TrainResult, TrainSpec, train
from . import seed_runs

PAPER_FIGURE = "seed 004 fig 1.7 (X18: a DNN memorising a photograph)"
FULL_SIZE = 512
CONVERGENCE_RULE = "first_below"  # how the curves are read: the first logged step below the threshold


def caption(cfg: dict) -> str:
    """The target as captions name it: the photograph, and its size when downsampled."""
    side = cfg["image"]["size"]
    scale = "" if side == FULL_SIZE else f", downsampled to {side}×{side}"
    return f"camera-man photograph (scikit-image, {FULL_SIZE}×{FULL_SIZE} grey levels{scale})"


dataset = caption
runs = seed_runs


def image(cfg: dict) -> np.ndarray:
    """The target image, float64 in [0, 1], ``image.size`` pixels a side."""
    photo = load_camera().astype(np.float64)
    side = cfg["image"]["size"]
    return photo if side == photo.shape[0] else resize(photo, (side, side), anti_aliasing=True)


def coordinates(shape: tuple[int, int]) -> np.ndarray:
    """(x, y) of every pixel, row-major, each scaled to [−1, 1]: x across columns, y down rows."""
    rows, cols = np.meshgrid(np.linspace(-1, 1, shape[0]), np.linspace(-1, 1, shape[1]), indexing="ij")
    return np.stack([cols.ravel(), rows.ravel()], axis=1)


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    target = image(cfg)
    pixels = np.arange(target.size)
    seed = variant["seed"]
    torch.manual_seed(seed)
    net = cfg["model"]
    model = MLP(2, 1, net["hidden"], net["activation"], net.get("init_std"), net.get("bias", True)).to(ctx.device)
    inputs = torch.as_tensor(coordinates(target.shape), dtype=torch.float32, device=ctx.device)
    targets = torch.as_tensor(target.ravel(), dtype=torch.float32, device=ctx.device)[:, None]
    snapshots = tuple(cfg["snapshot_steps"])

    def hook(step: int, model: torch.nn.Module, last: bool):
        output = evaluate(model, inputs)
        if step == 0:
            yield "target", pixels, target.ravel()
        for cutoff in cfg["cutoffs"]:
            e_low, e_high = radial_errors(target, output.reshape(target.shape), cutoff)
            yield "e_low", cutoff, e_low
            yield "e_high", cutoff, e_high
        if step in snapshots:
            yield "output", pixels, output

    opt = cfg["optimizer"]
    spec = TrainSpec(
        steps=cfg["steps"], lr=opt["lr"], optimizer=opt["name"], batch_size=opt.get("batch_size"),
        momentum=opt.get("momentum", 0.0), log_every=cfg["log_every"], log_steps=snapshots,
    )
    return train(model, inputs, targets, spec, ctx, hooks=[hook], seed=seed)


def crossings(metrics: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per run and cutoff: the first logged step at which e_low, and e_high, fall below
    ``threshold`` (NaN: not within the run)."""
    rows = []
    errors = metrics[metrics["metric"].isin(["e_low", "e_high"])]
    for (run_name, seed, cutoff), group in errors.groupby(["run", "seed", "key"]):
        history = group.pivot(index="step", columns="metric", values="value").sort_index()
        low, high = convergence_steps(
            history.index.to_numpy(), history[["e_low", "e_high"]].to_numpy(), threshold, CONVERGENCE_RULE
        )
        rows.append((run_name, seed, cutoff, low, high))
    return pd.DataFrame(rows, columns=["run", "seed", "cutoff", "low_at", "high_at"])


def _step(value: float) -> str:
    return "never" if np.isnan(value) else str(int(value))


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    threshold, margin = limits["threshold"], limits["early_margin"]
    table = crossings(metrics, threshold)
    coarse_first = table["low_at"].notna() & (table["high_at"].isna() | (table["low_at"] < table["high_at"]))
    by_cutoff = "; ".join(
        f"cutoff {cutoff:g}: e_low at {', '.join(map(_step, g['low_at']))}, e_high at {', '.join(map(_step, g['high_at']))}"
        for cutoff, g in table.groupby("cutoff")
    )
    first = min(cfg["snapshot_steps"])
    early = metrics[(metrics["step"] == first) & metrics["metric"].isin(["e_low", "e_high"])]
    early = early.pivot_table(index=["run", "key"], columns="metric", values="value")
    gap = early["e_high"] - early["e_low"]
    worst = early.loc[gap.idxmin()] if len(gap) else None
    return [
        Claim(
            claim="coarse_before_fine",
            statement="the net captures the coarse image first: the low-frequency part of the error falls before the high-frequency part",
            measured=f"holds in {int(coarse_first.sum())}/{len(table)} (run, cutoff) pairs; steps per seed: {by_cutoff}",
            threshold=(
                f"first logged step with e_low < {threshold} comes before the one with e_high < {threshold} "
                "(or e_high never gets there), for every seed and cutoff"
            ),
            passed=bool(len(table) > 0 and coarse_first.all()),
        ),
        Claim(
            claim="early_output_is_blurred",
            statement=f"at the first snapshot (step {first}) the output is a blurred image: its error is at high frequency",
            measured=(
                f"min e_high − e_low = {gap.min():.2f} (e_low = {worst['e_low']:.2f}, e_high = {worst['e_high']:.2f})"
                if worst is not None else "no snapshot logged"
            ),
            threshold=f"e_high − e_low ≥ {margin} at step {first}, for every seed and cutoff",
            passed=bool(len(gap) > 0 and (gap >= margin).all()),
        ),
    ]
