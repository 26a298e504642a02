"""fp_parity, the run side — XZLXM19: the F-Principle explains why a DNN fails on the parity function.

A net fitted to some points of the cube {−1, 1}^d fills the rest with a low-frequency function.
The parity ∏_j x_j is the cube's highest frequency (Walsh degree d): every Hamming neighbour of an
unseen point has the opposite label, so a smooth fill leans to the wrong sign and the test
accuracy falls below chance. The majority vote, mostly degree 1, is filled in correctly.

Setting (the authors' textbook script ``parity_torch.py``): ``n_train`` points of the cube drawn
at random with repeats (seeded per seed), a tanh MLP with every weight and bias N(0, 0.05²),
full-batch Adam on the MSE of the ±1 labels. Logged: train accuracy (on the distinct training
points) and test accuracy (sign agreement on the points never drawn); at the last step the Walsh
energy per degree of the output on the whole cube, and, as the authors plot it, the magnitude of its Fourier
transform along the all-ones direction, (1/2^d) Σ_x h(x) exp(−i k Σ_j x_j) on the grid
``spectrum`` (the target's is |sin k|^d for the parity); the target's spectra at step 0.

Controls besides frozen and mean: ``opposite``, the highest-frequency interpolant: the training
labels on the training points and the parity character ∏_j x_j on every unseen point; and
``random_fill``, the training labels on the training points and a coin flip (seeded per seed) on
every unseen point, whose mean Walsh degree (≈ d/2) is what a fill with no frequency preference
scores. Both fit the training points as the net does, so every claim must fail on them for
their fill, not their fit.

One job trains every target (each a checkpointed part) for every seed, one after another or as
one batched ensemble (``ensemble``): a net takes seconds.
"""

from __future__ import annotations

import numpy as np
import torch

from ...learners import OPPOSITE
from ...models import MLP
from ...targets.parity import boolean_target, cube, degree_weights, parity
from ...training import RunContext, TrainResult, TrainSpec, combine
from ...training.controls import Control
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs
from . import RANDOM_FILL

runs = seed_jobs  # one job for every target and seed (``seeds_per_job`` splits the seeds)


def training_draws(n_points: int, dim: int, seed: int) -> np.ndarray:
    """Indices into ``cube(dim)`` of ``n_points`` points drawn uniformly with repeats, as the
    authors draw each coordinate ±1 with probability ½ (row i of the cube has bit j of i set
    where x_j = −1)."""
    bits = np.random.default_rng(seed).integers(0, 2, size=(n_points, dim))
    return bits @ (1 << np.arange(dim))


def cube_index(x: torch.Tensor) -> torch.Tensor:
    """The row of ``cube(d)`` holding each point of ``x`` (n, d) ∈ {−1, 1}^d."""
    return ((x < 0).long() * (1 << torch.arange(x.shape[1], device=x.device))).sum(dim=1)


class CubeFill(Control):
    """An interpolant of the cube: the training labels where they are known, ``fill`` elsewhere."""

    def __init__(self, fill: np.ndarray, seen: np.ndarray, labels: np.ndarray):
        super().__init__()
        values = np.array(fill, dtype=np.float64)
        values[seen] = labels[seen]
        self.register_buffer("values", torch.as_tensor(values, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.values[cube_index(x)][:, None]


def high_frequency_fill(dim: int, seen: np.ndarray, labels: np.ndarray) -> CubeFill:
    """The cube's highest frequency ∏_j x_j on the unseen points: the opposite of a
    low-frequency fill."""
    return CubeFill(parity(cube(dim)), seen, labels)


def random_fill(dim: int, seen: np.ndarray, labels: np.ndarray, seed: int) -> CubeFill:
    """An independent fair coin (±1) on each unseen point: a fill with no frequency preference,
    which carries about half the Walsh degrees."""
    return CubeFill(np.random.default_rng([seed, 1]).choice([-1.0, 1.0], size=len(labels)), seen, labels)


def accuracy(output: np.ndarray, y: np.ndarray) -> float:
    """Share of points where the output has the label's sign."""
    return float(np.mean((output > 0) == (y > 0)))


def diagonal_phases(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """exp(−i k Σ_j x_ij) for every k (rows) and point (columns): the authors' Fourier transform
    along the all-ones direction (no 2π), built once per run."""
    return np.exp(-1j * np.outer(k, x.sum(axis=1)))


def diagonal_spectrum(values: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """|(1/n) Σ_i values_i exp(−i k Σ_j x_ij)| for every k of ``phases`` (``diagonal_phases``)."""
    return np.abs(phases @ values) / len(values)


def member(cfg: dict, target: str, seed: int, ctx: RunContext) -> Member:
    """The net of one seed: its own training draws of the cube, hooks and fill controls."""
    dim = cfg["dim"]
    x = cube(dim)
    y = boolean_target(target, x)
    draws = training_draws(cfg["n_train"], dim, seed)
    seen = np.unique(draws)
    unseen = np.setdiff1d(np.arange(len(x)), seen)
    k = np.linspace(0.0, cfg["spectrum"]["max"], cfg["spectrum"]["n"])
    torch.manual_seed(seed)
    m = cfg["model"]
    model = MLP(dim, 1, m["hidden"], m["activation"], m["init_std"], m["bias"], m["init"]).to(ctx.device)
    inputs = torch.as_tensor(x, dtype=torch.float32, device=ctx.device)
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    degrees = np.arange(dim + 1)
    phases = diagonal_phases(x, k)

    def hook(step: int, net: torch.nn.Module, last: bool):
        with torch.no_grad():
            output = net(inputs)[:, 0].cpu().numpy().astype(np.float64)
        if step == 0:
            yield "target_walsh", degrees, degree_weights(y)
            yield "target_diagonal", k, diagonal_spectrum(y, phases)
            yield "train_set_diagonal", k, diagonal_spectrum(y[draws], phases[:, draws])
            yield "unseen_points", np.nan, len(unseen)
        yield "train_accuracy", np.nan, accuracy(output[seen], y[seen])
        yield "test_accuracy", np.nan, accuracy(output[unseen], y[unseen])
        if last:  # what the claims and the figure read: the learned function
            yield "output_walsh", degrees, degree_weights(output)
            yield "output_diagonal", k, diagonal_spectrum(output, phases)

    controls = {
        OPPOSITE: high_frequency_fill(dim, seen, y).to(ctx.device),
        RANDOM_FILL: random_fill(dim, seen, y, seed).to(ctx.device),
    }
    return Member(seed, model, inputs[draws], targets[draws], hooks=[hook], controls=controls)


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Every target, each for every seed (one after another or as one batched ensemble)."""
    opt = cfg["optimizer"]
    spec = TrainSpec(steps=cfg["steps"], lr=opt["lr"], optimizer=opt["name"], loss="mse", log_every=cfg["log_every"])
    together = batched(cfg["ensemble"], ctx.device)
    return combine(
        [
            (
                {"target": target},
                train_seeds(
                    [member(cfg, target, seed, ctx) for seed in variant["seeds"]], spec, ctx.part(target), together
                ),
            )
            for target in cfg["targets"]
        ]
    )
