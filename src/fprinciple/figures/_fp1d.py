"""Helpers shared by the figures of the 1-D F-Principle experiments (XZLXM19, XZX18; lecture notes figs. 1.3–1.6)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.fit1d import convergence
from ..claims import strictly_increasing
from . import style


def metric(metrics: pd.DataFrame, name: str) -> pd.DataFrame:
    return metrics[metrics["metric"] == name]


def curve(metrics: pd.DataFrame, name: str, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rows = metric(metrics, name)
    if step is not None:
        rows = rows[rows["step"] == step]
    rows = rows.sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def peaks(metrics: pd.DataFrame) -> np.ndarray:
    """The peak frequencies at which ΔF is logged."""
    return np.sort(metric(metrics, "delta_f")["key"].unique())


SEEDS_SHOWN = 5  # a heat map draws at most this many seeds (failing ones first): rows stay legible


def failing_seeds(metrics: pd.DataFrame, cfg: dict) -> tuple[list, list]:
    """(every seed, the seeds whose peaks do not converge in strictly increasing order), to draw
    those first: the claims' verdicts are written from their rows, never from this."""
    spectrum_cfg = cfg["spectrum"]
    converged = convergence(metrics, spectrum_cfg["threshold"], spectrum_cfg["window"])
    ordered = {seed: strictly_increasing(g.sort_values("k")["converged_at"]) for seed, g in converged.groupby("seed")}
    return sorted(ordered), [seed for seed, in_order in sorted(ordered.items()) if not in_order]


def seed_heatmap(ax, metrics: pd.DataFrame, cfg: dict, colorbar: bool = True, labels: bool = True):
    """ΔF over (seed, peak) × step, one block of rows per seed (never averaged, so a seed that
    breaks the order shows), with a tick at each peak's convergence step (the claims' rule) and
    "never" where it did not converge; at most ``SEEDS_SHOWN`` seeds, those that break the order
    first. Returns the image and every seed."""
    seeds, failing = failing_seeds(metrics, cfg)
    shown = sorted((failing + [s for s in seeds if s not in failing])[:SEEDS_SHOWN])
    metrics = metrics[metrics["seed"].isin(shown)]
    table = metric(metrics, "delta_f").pivot_table(index="step", columns=["seed", "key"], values="value")
    steps, rows = table.index.to_numpy(), list(table.columns)
    image = ax.pcolormesh(
        steps, np.arange(len(rows)), table.to_numpy().T, cmap=style.DELTA_F_CMAP, vmin=0, vmax=1, shading="nearest"
    )
    names = [f"seed {seed} · k={int(k)}" if len(seeds) > 1 else f"k={int(k)}" for seed, k in rows]
    ax.set_yticks(np.arange(len(rows)), names if labels else [])
    for i in range(1, len(rows)):
        if rows[i][0] != rows[i - 1][0]:
            ax.axhline(i - 0.5, color="white", lw=2)
    spectrum_cfg = cfg["spectrum"]
    converged = convergence(metrics, spectrum_cfg["threshold"], spectrum_cfg["window"]).set_index(["seed", "k"])[
        "converged_at"
    ]
    for i, (seed, k) in enumerate(rows):
        at = converged.get((seed, int(k)), np.nan)
        if np.isfinite(at):
            ax.plot(at, i, marker="|", color="black", ms=9, mew=2)
        else:
            ax.text(steps[-1], i, " never", va="center", ha="left", fontsize="x-small", clip_on=False)
    ax.set_xlabel("step")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="ΔF (relative error)")
    return image, seeds


def seeds_drawn(seeds: list) -> str:
    """A title fragment: which seeds a heat map draws (the claims' verdicts are under the figure)."""
    if len(seeds) <= SEEDS_SHOWN:
        return f"{len(seeds)} seed{'s' if len(seeds) > 1 else ''}"
    return f"{SEEDS_SHOWN} of {len(seeds)} seeds drawn, out-of-order ones first"


def snapshot_steps(run: pd.DataFrame) -> list[int]:
    return sorted(metric(run, "output")["step"].unique())
