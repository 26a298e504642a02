"""fp_image — seed 004 fig 1.7 (X18): a fully connected net memorises a grey photograph as the
function (x, y) → grey level, and captures the coarse image before the fine detail.

The camera-man photograph (scikit-image, 512 × 512) is the target, at full size or
downsampled with anti-aliasing (``image.size``); pixel coordinates are scaled to [−1, 1]² and
the net is trained with MSE on all pixels (or minibatches). Every logged step records the
relative errors e_low and e_high of the output's low- and high-frequency parts (ideal radial
mask in the 2-D Fourier domain, ``spectral.image``) at each cutoff, the image mean (k = 0) left
out of both: a constant output equal to the mean has learned nothing, and must not count as
"coarse". The snapshot steps record the output image itself, and step 0 the target (key = flat
pixel index, row-major).

Besides the frozen and mean controls every run logs an ``opposite`` control (``OutsideIn``): the
photograph revealed from the highest spatial frequency inwards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..claims import Claim
from ..learners import OPPOSITE
from ..models.mlp import MLP, evaluate
from ..spectral.dft import convergence_steps
from ..spectral.image import radial_errors
from ..training import RunContext, TrainResult, TrainSpec, train
from ..training.controls import Control
from ..training.seeds import seeds_in_turn
from . import seed_jobs

PAPER_FIGURE = "seed 004 fig 1.7 (X18: a DNN memorising a photograph)"
FULL_SIZE = 512
# The opposite control reveals the photograph over the first half of the run, so both bands
# converge (for a whole window) well before the end, each at a step of its own.
REVEAL_FRACTION = 0.5


def caption(cfg: dict) -> str:
    """The target as captions name it: the photograph, and its size when downsampled."""
    side = cfg["image"]["size"]
    scale = "" if side == FULL_SIZE else f", downsampled to {side}×{side}"
    return f"camera-man photograph (scikit-image, {FULL_SIZE}×{FULL_SIZE} grey levels{scale})"


dataset = caption
runs = seed_jobs  # one job: each seed in turn (one Python start-up)


def image(cfg: dict) -> np.ndarray:
    """The target image, float64 in [0, 1], ``image.size`` pixels a side."""
    from skimage.transform import (
        resize,  # scikit-image loads in ~1 s: only the training job needs it
    )

    from ..datasets.standins import load_camera

    photo = load_camera().astype(np.float64)
    side = cfg["image"]["size"]
    return photo if side == photo.shape[0] else resize(photo, (side, side), anti_aliasing=True)


def coordinates(shape: tuple[int, int]) -> np.ndarray:
    """(x, y) of every pixel, row-major, each scaled to [−1, 1]: x across columns, y down rows."""
    rows, cols = np.meshgrid(np.linspace(-1, 1, shape[0]), np.linspace(-1, 1, shape[1]), indexing="ij")
    return np.stack([cols.ravel(), rows.ravel()], axis=1)


def band_errors(target: np.ndarray, output: np.ndarray, cutoff: float) -> tuple[float, float]:
    """(e_low, e_high) of ``output`` against ``target`` with the mean (k = 0) taken out of both:
    the low band starts at the first non-constant mode."""
    return radial_errors(target - target.mean(), output - output.mean(), cutoff)


class OutsideIn(Control):
    """The mirror image of coarse-before-fine: a learner that reveals the photograph from its
    highest spatial frequency inwards.

    At step t it outputs the target with only the 2-D Fourier modes of radius ≥ r(t) kept (radius
    in fractions of Nyquist, as ``spectral.image``), r falling linearly from the corner of the
    spectrum (√2) at step 0 to 0 at ``reveal_steps``; the mean comes last, and from then on the
    output is the photograph. It is defined on the pixel grid (the only inputs a run evaluates):
    an input is mapped to its pixel.
    """

    def __init__(self, target: np.ndarray, reveal_steps: int):
        super().__init__()
        self.target = np.asarray(target, dtype=np.float64)
        self.spectrum = np.fft.rfft2(self.target)
        h, w = self.target.shape
        fy = np.fft.fftfreq(h)[:, None] / 0.5
        fx = np.fft.rfftfreq(w)[None, :] / 0.5
        self.radius = np.hypot(fy, fx)
        self.top, self.reveal_steps = float(np.sqrt(2.0)), max(int(reveal_steps), 1)
        self.register_buffer("image", torch.zeros(h * w, dtype=torch.float32))
        self.at(0)

    def at(self, step: int) -> OutsideIn:
        cutoff = self.top * max(0.0, 1.0 - step / self.reveal_steps)
        kept = np.fft.irfft2(self.spectrum * (self.radius >= cutoff), s=self.target.shape)
        self.image.copy_(torch.as_tensor(kept.ravel(), dtype=torch.float32))
        return self

    def forward(self, xy: torch.Tensor) -> torch.Tensor:
        h, w = self.target.shape
        col = torch.round((xy[:, 0] + 1) / 2 * (w - 1)).long()
        row = torch.round((xy[:, 1] + 1) / 2 * (h - 1)).long()
        return self.image[row * w + col][:, None]


def run_seed(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    target = image(cfg)
    pixels = np.arange(target.size)
    seed = variant["seed"]
    torch.manual_seed(seed)
    net = cfg["model"]
    model = MLP(2, 1, net["hidden"], net["activation"], net.get("init_std"), net.get("bias", True),
                init=net.get("init", "fan_in")).to(ctx.device)
    inputs = torch.as_tensor(coordinates(target.shape), dtype=torch.float32, device=ctx.device)
    targets = torch.as_tensor(target.ravel(), dtype=torch.float32, device=ctx.device)[:, None]
    snapshots = tuple(cfg["snapshot_steps"])

    def hook(step: int, model: torch.nn.Module, last: bool):
        output = evaluate(model, inputs)
        if step == 0:
            yield "target", pixels, target.ravel()
        for cutoff in cfg["cutoffs"]:
            e_low, e_high = band_errors(target, output.reshape(target.shape), cutoff)
            yield "e_low", cutoff, e_low
            yield "e_high", cutoff, e_high
        if step in snapshots:
            yield "output", pixels, output

    opt = cfg["optimizer"]
    spec = TrainSpec(
        steps=cfg["steps"], lr=opt["lr"], optimizer=opt["name"], batch_size=opt.get("batch_size"),
        momentum=opt.get("momentum", 0.0), log_every=cfg["log_every"], log_steps=snapshots,
    )
    opposite = OutsideIn(target, round(REVEAL_FRACTION * ctx.steps(cfg["steps"]))).to(ctx.device)
    return train(model, inputs, targets, spec, ctx, hooks=[hook], seed=seed, controls={OPPOSITE: opposite})


run = seeds_in_turn(run_seed)


def crossings(metrics: pd.DataFrame, threshold: float, window: int | None) -> pd.DataFrame:
    """Per run and cutoff: the logged step from which e_low, and e_high, stay below ``threshold``
    for ``window`` consecutive logged steps (NaN: not within the run)."""
    rows = []
    errors = metrics[metrics["metric"].isin(["e_low", "e_high"])]
    for (run_name, seed, cutoff), group in errors.groupby(["run", "seed", "key"]):
        history = group.pivot(index="step", columns="metric", values="value").sort_index()
        low, high = convergence_steps(history.index.to_numpy(), history[["e_low", "e_high"]].to_numpy(), threshold, window)
        rows.append((run_name, seed, cutoff, low, high))
    return pd.DataFrame(rows, columns=["run", "seed", "cutoff", "low_at", "high_at"])


def _step(value: float) -> str:
    return "never" if np.isnan(value) else str(int(value))


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    threshold, margin, window = limits["threshold"], limits["early_margin"], limits["window"]
    table = crossings(metrics, threshold, window)
    coarse_first = table["low_at"].notna() & table["high_at"].notna() & (table["low_at"] < table["high_at"])
    by_cutoff = "; ".join(
        f"cutoff {cutoff:g}: e_low at {', '.join(map(_step, g['low_at']))}, e_high at {', '.join(map(_step, g['high_at']))}"
        for cutoff, g in table.groupby("cutoff")
    )
    first = min(cfg["snapshot_steps"])
    early = metrics[(metrics["step"] == first) & metrics["metric"].isin(["e_low", "e_high"])]
    early = early.pivot_table(index=["seed", "key"], columns="metric", values="value").reindex(columns=["e_low", "e_high"])
    gap = early["e_high"] - early["e_low"]
    blurred = (early["e_low"] < threshold) & (gap >= margin)
    worst = early.loc[gap.idxmin()] if gap.notna().any() else None
    stays = f"below {threshold} for {window} consecutive logged steps"
    return [
        Claim(
            claim="coarse_before_fine",
            statement="the net captures the coarse image first: the low-frequency part of the error falls before the high-frequency part, which falls too",
            measured=f"holds in {int(coarse_first.sum())}/{len(table)} (seed, cutoff) pairs; steps: {by_cutoff}",
            threshold=(
                f"e_low (mean excluded) {stays} from an earlier step than e_high, and e_high gets there within the run, "
                "for every cutoff"
            ),
            passed=bool(coarse_first.all()) if len(table) else None,
        ),
        Claim(
            claim="early_output_is_blurred",
            statement=f"at the first snapshot (step {first}) the output is a blurred image: the coarse part is fitted, the error is at high frequency",
            measured=(
                f"worst seed and cutoff: e_low = {worst['e_low']:.2f}, e_high = {worst['e_high']:.2f} "
                f"(e_high − e_low = {gap.min():.2f}); max e_low = {early['e_low'].max():.2f}"
                if worst is not None else "no snapshot logged"
            ),
            threshold=f"e_low < {threshold} and e_high − e_low ≥ {margin} at step {first}, for every cutoff",
            passed=bool(blurred.all()) if len(early) else None,
        ),
    ]
