"""Learning time per frequency (BJKK19, seed 001): the engine of basri_shallow_1d,
basri_shallow_2d and basri_deep.

A sweep trains one net per (net variant, k, seed) on a pure frequency-k target and records the
GD iteration at which it is learned. A job trains the members of `k_per_job` frequencies × all
seeds, as one batched ensemble or one member at a time (`train.ensemble`); every member draws
its data and weights from its own (seed, k) generator, so both ways give the same times.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import torch

from ..claims import Claim
from ..models import EnsembleMLP
from ..training import RunContext, TrainResult
from ..training.ensemble import LearningTimeSpec, learning_times

ENSEMBLE_MODES = ("auto", "batched", "sequential")

# data(rng, k, cfg) -> (x (n, d), y (n,)); build(generators, cfg, net) -> EnsembleMLP
Data = Callable[[np.random.Generator, int, dict], tuple[np.ndarray, np.ndarray]]
Build = Callable[[list[torch.Generator], dict, dict], EnsembleMLP]


def frequencies(cfg: dict) -> list[int]:
    return list(range(1, cfg["k_max"] + 1))


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
    """Members trained together: all on a GPU, one at a time on a CPU (measured faster there)."""
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
    spec = LearningTimeSpec(
        lr=net.get("lr", cfg["lr"]),
        cap=net["cap"],
        loss=cfg["loss"],
        threshold=cfg["loss_threshold"],
        relative=cfg.get("relative_threshold", False),
        log_every=cfg["log_every"],
    )
    as_tensor = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32, device=ctx.device)  # noqa: E731
    result = learning_times(model, as_tensor(xs), as_tensor(ys), spec, ctx,
                            batch=batch_size(cfg.get("ensemble", "auto"), ctx.device, len(members)))
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
    )


# --- analysis: from the metrics table to learning-time statistics and claims ---------------


def times(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per (net, k, seed): learning_time (NaN = not learned) and final_loss."""
    rows = metrics[metrics["metric"].isin(["learning_time", "final_loss"])]
    table = rows.pivot_table(index=["net", "k", "seed"], columns="metric", values="value", dropna=False)
    return table.reset_index()


def summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per (net, k): mean and std of the learning time over the seeds that learned, how many
    learned, and how many diverged (loss NaN/inf)."""
    table = times(metrics)
    return (
        table.groupby(["net", "k"])
        .agg(
            mean=("learning_time", "mean"),
            std=("learning_time", "std"),
            learned=("learning_time", lambda t: int(t.notna().sum())),
            seeds=("learning_time", "size"),
            diverged=("final_loss", lambda v: int((~np.isfinite(v)).sum())),
        )
        .reset_index()
    )


def fit_ks(stats: pd.DataFrame, k_min: int, even_only: bool) -> pd.DataFrame:
    """The frequencies a slope or prediction is fitted on: k ≥ k_min, learned by every seed
    (and even only, for a net without bias whose odd k are not learnable)."""
    rows = stats[(stats["k"] >= k_min) & (stats["learned"] == stats["seeds"])]
    return rows[rows["k"] % 2 == 0] if even_only else rows


def loglog_slope(k: np.ndarray, t: np.ndarray) -> float:
    return float(np.polyfit(np.log(k), np.log(t), 1)[0]) if len(k) >= 2 else float("nan")


def theory_fit(k: np.ndarray, t: np.ndarray, eigenvalues: np.ndarray, lr: float) -> tuple[float, np.ndarray]:
    """Authors' "theoretical fit": t_k ≈ c / (lr λ_k), c by least squares; returns (c, c/(lr λ))."""
    basis = 1.0 / (lr * eigenvalues)
    c = float(basis @ t / (basis @ basis))
    return c, c * basis


def _span(ks) -> str:
    ks = [int(k) for k in ks]
    return f"k = {ks[0]}…{ks[-1]}" if ks else "no k"


def sweep_claims(metrics: pd.DataFrame, cfg: dict, eigenvalues=None) -> list[Claim]:
    """The paper's claims for every net of a sweep.

    - a net without bias: every odd k ≥ 3 hits the cap in every seed while even k (and k = 1)
      are learned; a net with bias (or a deep net): every k is learned;
    - the log-log slope of mean learning time vs k (k ≥ k_min) is within the tolerance of the
      expected exponent;
    - with `eigenvalues(k, bias)`: each fitted k's mean time is within a factor `band` of the
      authors' theoretical fit c / (lr λ_k).
    """
    limits = cfg["claims"]
    stats = summary(metrics)
    out = []
    for name, net in cfg["nets"].items():
        s = stats[stats["net"] == name].sort_values("k")
        no_bias = net.get("bias") is False
        notes = limits.get("notes", {})  # per claim id: why it differs at this scale (config/README.md)
        claim = lambda **kw: Claim(note=notes.get(kw["claim"], ""), **kw)  # noqa: E731
        if no_bias:
            odd = s[(s["k"] % 2 == 1) & (s["k"] >= 3)]
            rest = s[~s.index.isin(odd.index)]
            out.append(claim(
                claim=f"odd_k_not_learned_{name}",
                statement="without bias, odd k ≥ 3 are never learned (zero eigenvalue) while even k and k = 1 are",
                measured=(
                    f"odd k ≥ 3 learned in {int(odd['learned'].sum())}/{int(odd['seeds'].sum())} runs; "
                    f"even k and k = 1 learned in {int(rest['learned'].sum())}/{int(rest['seeds'].sum())} runs"
                ),
                threshold=f"0 odd-k runs reach loss < {cfg['loss_threshold']} within the cap of {net['cap']} iterations; every other run does",
                passed=bool(len(odd) and odd["learned"].sum() == 0 and (rest["learned"] == rest["seeds"]).all()),
            ))
        else:
            out.append(claim(
                claim=f"every_k_learned_{name}",
                statement=f"{name}: every frequency is learned",
                measured=f"{int(s['learned'].sum())}/{int(s['seeds'].sum())} runs learned ({int(s['diverged'].sum())} diverged)",
                threshold=f"every run of every k reaches the loss threshold within {net['cap']} iterations",
                passed=bool(len(s) and (s["learned"] == s["seeds"]).all()),
            ))
        fit = fit_ks(s, limits["k_min"], even_only=no_bias)
        slope = loglog_slope(fit["k"].to_numpy(float), fit["mean"].to_numpy())
        expected, tol = limits["slope"], limits["slope_tolerance"]
        out.append(claim(
            claim=f"loglog_slope_{name}",
            statement=f"{name}: learning time grows like k^{expected:g}",
            measured=f"slope {slope:.2f} on {_span(fit['k'])} ({'even k, ' if no_bias else ''}mean over seeds)",
            threshold=f"|slope − {expected:g}| ≤ {tol:g}",
            passed=bool(np.isfinite(slope) and abs(slope - expected) <= tol),
        ))
        if eigenvalues is not None:
            k, band = fit["k"].to_numpy(), limits["prediction_band"]
            measured, passed = "fewer than two frequencies learned by every seed", False
            if len(k) >= 2:
                c, predicted = theory_fit(k, fit["mean"].to_numpy(), eigenvalues(k, net.get("bias", False)), cfg["lr"])
                ratio = fit["mean"].to_numpy() / predicted
                measured = f"measured / (c / (lr λ_k)) in [{ratio.min():.2f}, {ratio.max():.2f}] on {_span(k)}, fitted c = {c:.3g}"
                passed = bool(np.all((ratio >= 1 / band) & (ratio <= band)))
            out.append(claim(
                claim=f"tracks_prediction_{name}",
                statement=f"{name}: measured times follow the eigenvalue prediction ∝ 1/(lr·λ_k)",
                measured=measured,
                threshold=f"every ratio within [1/{band:g}, {band:g}] (k ≥ {limits['k_min']})",
                passed=passed,
            ))
    return out
