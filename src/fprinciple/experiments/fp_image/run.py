"""fp_image — X18 (lecture notes fig. 1.7): a fully connected net memorises a grey photograph as the
function (x, y) → grey level, and captures the coarse image first and the finest detail last.

The camera-man photograph (scikit-image, 512 × 512) is the target, at full size or
downsampled with anti-aliasing (``image.size``); pixel coordinates are scaled to [−1, 1]² and
the net is trained with MSE on all pixels (or minibatches). Every logged step records the
relative error of the output in each radial frequency band of the 2-D Fourier domain
(``bands``: upper edges in fractions of Nyquist, ``spectral.image``), the image mean (radius 0)
in none of them: a constant output equal to the mean has learned nothing, and must not count as
"coarse". The snapshot steps record the output image itself, and step 0 the target (key = flat
pixel index, row-major).

Besides the frozen and mean controls every run logs an ``opposite`` control (``OutsideIn``): the
photograph revealed from the highest spatial frequency inwards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ...claims import SUITE, Claim
from ...learners import OPPOSITE
from ...models.mlp import MLP, evaluate
from ...spectral.dft import convergence_steps
from ...spectral.image import band_errors
from ...training import RunContext, TrainResult, TrainSpec, train
from ...training.controls import Control
from ...training.seeds import seeds_in_turn
from .. import seed_jobs

PAPER_FIGURE = "Xu 2018 (arXiv:1808.04295): a DNN memorising a photograph (lecture notes fig. 1.7)"
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
    model = MLP(
        2,
        1,
        net["hidden"],
        net["activation"],
        net.get("init_std"),
        net.get("bias", True),
        init=net.get("init", "fan_in"),
    ).to(ctx.device)
    inputs = torch.as_tensor(coordinates(target.shape), dtype=torch.float32, device=ctx.device)
    targets = torch.as_tensor(target.ravel(), dtype=torch.float32, device=ctx.device)[:, None]
    snapshots = tuple(cfg["snapshot_steps"])
    edges = np.asarray(cfg["bands"], dtype=np.float64)

    def hook(step: int, model: torch.nn.Module, last: bool):
        output = evaluate(model, inputs)
        if step == 0:
            yield "target", pixels, target.ravel()
        yield "band_error", edges, band_errors(target, output.reshape(target.shape), edges)
        if step in snapshots:
            yield "output", pixels, output

    opt = cfg["optimizer"]
    spec = TrainSpec(
        steps=cfg["steps"],
        lr=opt["lr"],
        optimizer=opt["name"],
        batch_size=opt.get("batch_size"),
        momentum=opt.get("momentum", 0.0),
        log_every=cfg["log_every"],
        log_steps=snapshots,
    )
    opposite = OutsideIn(target, round(REVEAL_FRACTION * ctx.steps(cfg["steps"]))).to(ctx.device)
    return train(model, inputs, targets, spec, ctx, hooks=[hook], seed=seed, controls={OPPOSITE: opposite})


run = seeds_in_turn(run_seed)


def band_name(edges, band: int) -> str:
    """A band as its radii in fractions of Nyquist, e.g. (0, 0.0625] for the first."""
    return f"({edges[band - 1] if band else 0:g}, {edges[band]:g}]"


def band_history(metrics: pd.DataFrame) -> pd.DataFrame:
    """Band errors, one row per (run, seed, logged step), one column per band in frequency order."""
    errors = metrics[metrics["metric"] == "band_error"]
    return errors.pivot_table(index=["run", "seed", "step"], columns="key", values="value").sort_index(axis=1)


def crossings(history: pd.DataFrame, threshold: float, window: int | None) -> pd.DataFrame:
    """Per (run, seed) and band of ``band_history``: the logged step from which the band's error
    stays below ``threshold`` for ``window`` consecutive logged steps (NaN: not within the run)."""
    rows = {
        run: convergence_steps(group.index.get_level_values("step").to_numpy(), group.to_numpy(), threshold, window)
        for run, group in history.groupby(level=["run", "seed"])
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=history.columns)


def in_order(steps: np.ndarray) -> bool:
    """Every band converged, each at a later logged step than the band below it."""
    return bool(np.isfinite(steps).all() and (np.diff(steps) > 0).all())


def _steps(steps: np.ndarray) -> str:
    return ", ".join("never" if np.isnan(v) else str(int(v)) for v in steps)


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits, edges = cfg["claims"], cfg["bands"]
    threshold, window, margin, final_max = (
        limits["threshold"],
        limits["window"],
        limits["early_margin"],
        limits["final_error_max"],
    )
    coarsest, finest = band_name(edges, 0), band_name(edges, len(edges) - 1)
    history = band_history(metrics)
    seeds = history.groupby(level=["run", "seed"])

    table = crossings(history, threshold, window)
    ordered = np.array([in_order(row) for row in table.to_numpy()])
    final = seeds.tail(1).iloc[:, -1].to_numpy()  # the finest band's error at each run's last logged step
    fitted_last = ordered & (final <= final_max)
    seed_ids = [seed for _, seed in table.index]

    first = min(cfg["snapshot_steps"])
    early = history[history.index.get_level_values("step") == first]
    blurred = (early.iloc[:, 0] < threshold) & (early.iloc[:, -1] - early.iloc[:, 0] >= margin)
    stays = f"below {threshold} for {window} consecutive logged steps"
    judged = len(table) > 0
    return [
        Claim(
            claim="bands_in_order",
            statement=(
                "the net captures the coarse image first and the finest detail last: the radial frequency bands "
                f"{', '.join(band_name(edges, b) for b in range(len(edges)))} (fractions of Nyquist) are fitted "
                "in order of frequency (the suite's measure of the paper's snapshots)"
            ),
            measured=(
                f"step from which each band's error stays {stays}, coarsest band first: "
                + "; ".join(f"seed {seed}: {_steps(row)}" for seed, row in zip(seed_ids, table.to_numpy()))
            ),
            threshold=(
                f"each band's relative error (mean excluded) {stays} from a later logged step than the band below "
                "it, every band within the run"
            ),
            passed=bool(ordered.all()) if judged else None,
            source=SUITE,
        ),
        Claim(
            claim="finest_band_fitted_last",
            statement=(
                f"the finest detail (band {finest} of Nyquist) arrives last and is fitted: the bands are fitted in "
                "order and the finest band's error is small at the end of training"
            ),
            measured=(
                f"in order in {int(ordered.sum())}/{len(ordered)} seeds; final error of band {finest}: "
                + ", ".join(f"seed {seed}: {value:.3f}" for seed, value in zip(seed_ids, final))
            ),
            threshold=f"bands_in_order holds and the error of band {finest} at the last logged step ≤ {final_max}",
            passed=bool(fitted_last.all()) if judged else None,
            source=SUITE,
        ),
        Claim(
            claim="early_output_is_blurred",
            statement=(
                f"at the first snapshot (step {first}) the output is a blurred image: the coarsest band is fitted, "
                "the finest is not"
            ),
            measured=(
                f"errors of bands {coarsest} and {finest}: "
                + ", ".join(
                    f"seed {seed}: {lo:.2f} and {hi:.2f}"
                    for (_, seed, _), lo, hi in zip(early.index, early.iloc[:, 0], early.iloc[:, -1])
                )
            )
            if len(early)
            else "no snapshot logged",
            threshold=f"at step {first}: error of band {coarsest} < {threshold}, and that of band {finest} larger by ≥ {margin}",
            passed=bool(blurred.all()) if len(early) else None,
            source=SUITE,
        ),
    ]
