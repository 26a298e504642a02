"""fp_image, the run side — X18 (lecture notes fig. 1.7): a fully connected net memorises a grey photograph as the
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
import torch

from ...learners import OPPOSITE
from ...models.mlp import MLP, evaluate
from ...spectral.image import band_errors
from ...training import RunContext, TrainResult, TrainSpec, train
from ...training.controls import Control
from ...training.seeds import seeds_in_turn
from .. import seed_jobs

# The opposite control reveals the photograph over the first half of the run, so both bands
# converge (for a whole window) well before the end, each at a step of its own.
REVEAL_FRACTION = 0.5


runs = seed_jobs  # one job: each seed in turn (one Python start-up)


def image(cfg: dict) -> np.ndarray:
    """The target image, float64 in [0, 1], ``image.size`` pixels a side."""
    from skimage.transform import (
        resize,  # scikit-image loads in ~1 s: only the training job needs it
    )

    from ...datasets.standins import load_camera

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
        net["init_std"],
        net["bias"],
        init=net["init"],
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
        batch_size=opt["batch_size"],
        momentum=opt["momentum"],
        log_every=cfg["log_every"],
        log_steps=snapshots,
    )
    opposite = OutsideIn(target, round(REVEAL_FRACTION * ctx.steps(cfg["steps"]))).to(ctx.device)
    return train(model, inputs, targets, spec, ctx, hooks=[hook], seed=seed, controls={OPPOSITE: opposite})


run = seeds_in_turn(run_seed)
