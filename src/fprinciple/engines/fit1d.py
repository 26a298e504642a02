"""Fitting a 1-D target with an MLP while watching its spectrum: the run side of the 1-D
F-Principle experiments (fp1d_*, fp_nongd; XZLXM19, XZX18; lecture notes §1.3). Their claims
read the logged metrics in ``analysis.fit1d``. The settings come validated, with the schema's
defaults filled in (``fprinciple.config``).

Every logged step records the relative error ΔF at the target's peaks; chosen snapshot steps
(and the last) record the output itself and its DFT magnitude. The target and its spectrum are
logged once at step 0, so figures and claims need nothing but the metrics.

Besides the trainer's frozen and mean controls, every run logs an ``opposite`` control
(``HighFrequencyFirst``): the target fitted from its highest frequency down, on which every
F-Principle claim must fail.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import torch

from ..learners import OPPOSITE, TRAINED
from ..models.mlp import MLP
from ..spectral.dft import (
    delta_f,
    find_peaks,
    spectrum,
    uniform_grid,
)
from ..targets.functions1d import make_target
from ..training import RunContext, TrainResult, TrainSpec
from ..training.controls import Control
from ..training.seeds import Member, batched, train_seeds

# The opposite control admits its frequencies over the first half of the run, so that each peak
# converges (for a whole convergence window) well before the end, at a step of its own.
REVEAL_FRACTION = 0.5


def problem(cfg: dict) -> tuple[np.ndarray, np.ndarray]:
    """The training grid and the target on it."""
    grid = cfg["grid"]
    x = uniform_grid(grid["n"], grid["low"], grid["high"], endpoint=grid["endpoint"])
    return x, make_target(x, cfg["target"])


def snapshot_steps(cfg: dict) -> tuple[int, ...]:
    """The steps whose output and spectrum are logged besides the last (none where the experiment
    has no ``snapshot_steps``: its figure draws ΔF only)."""
    return tuple(cfg.get("snapshot_steps") or ())


def peaks(cfg: dict, y: np.ndarray) -> np.ndarray:
    """The target's spectral peaks that the experiment follows (the first n_peaks, if set)."""
    found = find_peaks(np.abs(spectrum(y)), cfg["spectrum"]["max_freq"])
    return found[: cfg["spectrum"].get("n_peaks")]


class HighFrequencyFirst(Control):
    """The mirror image of the F-Principle on a uniform 1-D grid: a learner that fits the target
    from its highest frequency down.

    At step t it outputs the target's trigonometric interpolant (the inverse DFT on the training
    grid, evaluated at any x) keeping only the DFT indices k ≥ cutoff(t); the cutoff falls
    linearly from ``top`` at step 0 to 0 at ``reveal_steps`` (indices above ``top`` are there from
    the start, the constant k = 0 comes last), after which the output is the target. Built from
    the target's own spectrum, it has the target's peaks, magnitudes and phases, only in the
    opposite order, so an order claim that passes on it does not test the order.

    Logged at every step of a run, it keeps per input tensor (held weakly, as ``Frozen`` does)
    the interpolant's terms summed from the top index down, so a call picks one column instead of
    summing the series again.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, top: float, reveal_steps: int):
        super().__init__()
        x = np.asarray(x, dtype=np.float64)
        n = len(x)
        coefficients = np.fft.rfft(np.asarray(y, dtype=np.float64)) / n
        k = np.arange(len(coefficients))
        # The one-sided DFT: every 0 < k < n/2 stands for the pair ±k.
        coefficients = coefficients * np.where((k == 0) | (2 * k == n), 1.0, 2.0)
        self.low, self.spacing, self.n = float(x[0]), float(x[1] - x[0]), n
        self.register_buffer("k", torch.as_tensor(k, dtype=torch.float64))
        self.register_buffer("real", torch.as_tensor(coefficients.real))
        self.register_buffer("imag", torch.as_tensor(coefficients.imag))
        self.top, self.reveal_steps = float(top), max(int(reveal_steps), 1)
        self.cutoff = self.top
        self._tails: dict[int, tuple[weakref.ref, torch.Tensor]] = {}

    def at(self, step: int) -> HighFrequencyFirst:
        self.cutoff = self.top * max(0.0, 1.0 - step / self.reveal_steps)
        return self

    def _tail_sums(self, x: torch.Tensor) -> torch.Tensor:
        """Column j: the sum of the interpolant's terms k ≥ j at each input (a last column of 0)."""
        ref, tails = self._tails.get(id(x), (None, None))
        if ref is None or ref() is not x:  # never seen, or an old tensor's id reused
            position = (x[:, 0].double() - self.low) / self.spacing  # grid index, fractional off the grid
            phase = (2 * math.pi / self.n) * position[:, None] * self.k[None, :]
            terms = self.real * torch.cos(phase) - self.imag * torch.sin(phase)
            tails = torch.cat([terms.flip(1).cumsum(1).flip(1), terms.new_zeros(len(x), 1)], dim=1)
            if not x.requires_grad:
                self._tails[id(x)] = (weakref.ref(x, lambda _, key=id(x): self._tails.pop(key, None)), tails)
        return tails

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first_kept = min(math.ceil(self.cutoff), len(self.k))  # the indices k ≥ cutoff
        return self._tail_sums(x)[:, first_kept].to(x.dtype)[:, None]


def opposite_control(cfg: dict, x: np.ndarray, y: np.ndarray, steps: int) -> HighFrequencyFirst:
    """The opposite control of a run of ``steps`` steps: from the highest examined index down."""
    return HighFrequencyFirst(x, y, cfg["spectrum"]["max_freq"], round(REVEAL_FRACTION * steps))


class PeaksConverged:
    """The stopping rule of an order claim's run (``spectrum.stop_when_converged``): true once
    every peak's ΔF (the trained net's) has stayed below ``threshold`` for ``window`` consecutive
    logged steps, the claims' convergence rule, after which more training can change none of
    their convergence steps. Stateful: it reads each record once, so one rule per run."""

    def __init__(self, threshold: float, window: int):
        self.threshold, self.window = threshold, window
        self.read, self.below, self.converged = 0, None, None

    def __call__(self, records: list) -> bool:
        for _, learner, metric, _, values in records[self.read :]:
            if learner == TRAINED and metric == "delta_f":
                if self.below is None:
                    self.below, self.converged = np.zeros(len(values), int), np.zeros(len(values), bool)
                self.below = np.where(values < self.threshold, self.below + 1, 0)
                self.converged |= self.below >= self.window
        self.read = len(records)
        return self.converged is not None and bool(self.converged.all())


def stop_rule(cfg: dict) -> PeaksConverged | None:
    """A new stopping rule for one run, if the config asks to stop once every peak converged."""
    spectrum_cfg = cfg["spectrum"]
    if not spectrum_cfg["stop_when_converged"]:
        return None
    return PeaksConverged(spectrum_cfg["threshold"], spectrum_cfg["window"])


def spectral_hook(x: np.ndarray, y: np.ndarray, cfg: dict, device: torch.device):
    """Log ΔF at the peaks at every logged step; the output and its |ĥ_k| for k ≤ max_freq at the
    snapshot steps and the last (what the figures draw: every step's spectrum was most of a
    run's rows and read by nothing)."""
    y_hat = spectrum(y)
    k_peaks = peaks(cfg, y)
    max_freq = cfg["spectrum"]["max_freq"]
    k_all = np.arange(max_freq + 1)
    snapshots = set(snapshot_steps(cfg))
    inputs = torch.as_tensor(x, dtype=torch.float32, device=device)[:, None]

    def hook(step: int, model: torch.nn.Module, last: bool):
        with torch.no_grad():
            h = model(inputs)[:, 0].cpu().numpy().astype(np.float64)
        h_hat = spectrum(h)
        if step == 0:
            yield "target", x, y
            yield "target_spectrum", k_all, np.abs(y_hat[: max_freq + 1])
        yield "delta_f", k_peaks, delta_f(h_hat[k_peaks], y_hat[k_peaks], cfg["spectrum"]["delta_form"])
        if step in snapshots or last:
            yield "spectrum", k_all, np.abs(h_hat[: max_freq + 1])
            yield "output", x, h

    return hook


def build_model(model_cfg: dict, hidden: list[int], activation: str) -> MLP:
    """The MLP of a 1-D fit; ``init: normal`` with ``init_std`` is the authors' initialisation."""
    return MLP(
        1,
        1,
        hidden,
        activation,
        model_cfg["init_std"],
        model_cfg["bias"],
        init=model_cfg["init"],
    )


def fit(
    cfg: dict, seeds: list[int], ctx: RunContext, hidden: list[int], activation: str, optimizer: dict
) -> TrainResult:
    """Train one MLP per seed on the experiment's 1-D problem with the given architecture and
    optimizer, logging each and its controls (frozen, mean, opposite); one after another or as
    one batched ensemble (the config's ``ensemble``: ``training.seeds``)."""
    x, y = problem(cfg)
    spec = TrainSpec(
        steps=cfg["steps"],
        lr=optimizer["lr"],
        optimizer=optimizer["name"],
        batch_size=optimizer["batch_size"],
        momentum=optimizer["momentum"],
        log_every=cfg["log_every"],
        log_steps=snapshot_steps(cfg),
    )
    inputs = torch.as_tensor(x, dtype=torch.float32, device=ctx.device)[:, None]
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    hook = spectral_hook(x, y, cfg, ctx.device)
    opposite = opposite_control(cfg, x, y, ctx.steps(cfg["steps"])).to(ctx.device)
    members = []
    for seed in seeds:
        torch.manual_seed(seed)
        model = build_model(cfg["model"], hidden, activation).to(ctx.device)
        members.append(
            Member(seed, model, inputs, targets, hooks=[hook], controls={OPPOSITE: opposite}, stop=stop_rule(cfg))
        )
    return train_seeds(members, spec, ctx, batched(cfg["ensemble"], ctx.device))


def run_configured(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Train with the experiment's own `model` and `optimizer` blocks, every seed of the job."""
    model = cfg["model"]
    return fit(cfg, variant["seeds"], ctx, model["hidden"], model["activation"], cfg["optimizer"])
