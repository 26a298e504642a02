"""Fitting a 1-D target with an MLP while watching its spectrum: the engine of the four 1-D
F-Principle experiments (seed 004, section 1.3; XZX18).

Every logged step records the output's DFT magnitude and the relative error ΔF at the target's
peaks; chosen snapshot steps record the output itself. The target and its spectrum are
logged once at step 0, so figures and claims need nothing but the metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..claims import Claim, strictly_increasing
from ..models import MLP
from ..spectral.dft import convergence_steps, delta_f, find_peaks, spectrum, uniform_grid
from ..targets.functions1d import make_target
from ..training import RunContext, TrainResult, TrainSpec, train

VARIANT_COLUMNS = ("activation", "optimizer", "depth")


def problem(cfg: dict) -> tuple[np.ndarray, np.ndarray]:
    """The training grid and the target on it."""
    grid = cfg["grid"]
    x = uniform_grid(grid["n"], grid["low"], grid["high"], endpoint=grid.get("endpoint", True))
    return x, make_target(x, cfg["target"])


def peaks(cfg: dict, y: np.ndarray) -> np.ndarray:
    """The target's spectral peaks that the experiment follows (the first n_peaks, if set)."""
    found = find_peaks(np.abs(spectrum(y)), cfg["spectrum"]["max_freq"])
    return found[: cfg["spectrum"].get("n_peaks")]


def spectral_hook(x: np.ndarray, y: np.ndarray, cfg: dict, device: torch.device):
    """Log |ĥ_k| for k ≤ max_freq and ΔF at the peaks; the output itself at snapshot steps."""
    y_hat = spectrum(y)
    k_peaks = peaks(cfg, y)
    max_freq = cfg["spectrum"]["max_freq"]
    k_all = np.arange(max_freq + 1)
    snapshots = set(cfg.get("snapshot_steps", ()))
    inputs = torch.as_tensor(x, dtype=torch.float32, device=device)[:, None]

    def hook(step: int, model: torch.nn.Module, last: bool):
        with torch.no_grad():
            h = model(inputs)[:, 0].cpu().numpy().astype(np.float64)
        h_hat = spectrum(h)
        if step == 0:
            yield "target", x, y
            yield "target_spectrum", k_all, np.abs(y_hat[: max_freq + 1])
        yield "spectrum", k_all, np.abs(h_hat[: max_freq + 1])
        yield "delta_f", k_peaks, delta_f(h_hat[k_peaks], y_hat[k_peaks], cfg["spectrum"]["delta_form"])
        if step in snapshots or last:
            yield "output", x, h

    return hook


def fit(cfg: dict, seed: int, ctx: RunContext, hidden: list[int], activation: str, optimizer: dict) -> TrainResult:
    """Train one MLP on the experiment's 1-D problem with the given architecture and optimizer."""
    x, y = problem(cfg)
    torch.manual_seed(seed)
    model_cfg = cfg["model"]
    model = MLP(1, 1, hidden, activation, model_cfg.get("init_std"), model_cfg.get("bias", True)).to(ctx.device)
    spec = TrainSpec(
        steps=cfg["steps"],
        lr=optimizer["lr"],
        optimizer=optimizer["name"],
        batch_size=optimizer.get("batch_size"),
        momentum=optimizer.get("momentum", 0.0),
        log_every=cfg["log_every"],
        log_steps=tuple(cfg.get("snapshot_steps", ())),
    )
    inputs = torch.as_tensor(x, dtype=torch.float32, device=ctx.device)[:, None]
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    return train(model, inputs, targets, spec, ctx, hooks=[spectral_hook(x, y, cfg, ctx.device)], seed=seed)


def run_configured(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Train with the experiment's own `model` and `optimizer` blocks."""
    model = cfg["model"]
    return fit(cfg, variant["seed"], ctx, model["hidden"], model["activation"], cfg["optimizer"])


def convergence(metrics: pd.DataFrame, threshold: float, rule: str = "stays_below") -> pd.DataFrame:
    """Per run and peak k: the logged step at which ΔF(k) converges below `threshold` (NaN: never)."""
    delta = metrics[metrics["metric"] == "delta_f"]
    variant = ["run", "seed", *[c for c in VARIANT_COLUMNS if c in metrics.columns]]
    rows = []
    for keys, group in delta.groupby(variant, sort=True):
        history = group.pivot(index="step", columns="key", values="value").sort_index()
        steps = convergence_steps(history.index.to_numpy(), history.to_numpy(), threshold, rule)
        for k, step in zip(history.columns, steps):
            rows.append((*keys, int(k), step))
    return pd.DataFrame(rows, columns=[*variant, "k", "converged_at"])


def order_claim(metrics: pd.DataFrame, cfg: dict, statement: str) -> Claim:
    """F-Principle order: in every run, the peaks' convergence steps strictly increase with k."""
    threshold, rule = cfg["spectrum"]["threshold"], cfg["spectrum"]["convergence"]
    table = convergence(metrics, threshold, rule)
    per_run = table.sort_values("k").groupby("run")
    holds = {run: strictly_increasing(g["converged_at"]) for run, g in per_run}
    measured = "; ".join(
        f"{run}: " + ", ".join(f"k={k}→{'never' if np.isnan(s) else int(s)}" for k, s in zip(g["k"], g["converged_at"]))
        for run, g in per_run
    )
    return Claim(
        claim="convergence_order",
        statement=statement,
        measured=f"order holds in {sum(holds.values())}/{len(holds)} runs ({measured})",
        threshold=f"convergence steps ({rule.replace('_', ' ')} {threshold} in ΔF) strictly increase with k, in every run",
        passed=all(holds.values()) and len(holds) > 0,
    )
