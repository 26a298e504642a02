"""Helpers shared by the figures of the 1-D F-Principle experiments (seed 004 figs 1.3–1.6, XZX18)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import strictly_increasing
from ..engines.fit1d import convergence
from . import style


def metric(metrics: pd.DataFrame, name: str) -> pd.DataFrame:
    return metrics[metrics["metric"] == name]


def first_run(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["run"] == min(metrics["run"].unique())]


def curve(metrics: pd.DataFrame, name: str, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rows = metric(metrics, name)
    if step is not None:
        rows = rows[rows["step"] == step]
    rows = rows.sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def peaks(metrics: pd.DataFrame) -> np.ndarray:
    """The peak frequencies at which ΔF is logged."""
    return np.sort(metric(metrics, "delta_f")["key"].unique())


def seed_heatmap(ax, metrics: pd.DataFrame, cfg: dict, colorbar: bool = True, labels: bool = True):
    """ΔF over (seed, peak) × step, one block of rows per seed (never averaged, so a seed that
    breaks the order shows), with a tick at each peak's convergence step (the claims' rule) and
    "never" where it did not converge. Returns the image and the seeds whose order fails."""
    table = metric(metrics, "delta_f").pivot_table(index="step", columns=["seed", "key"], values="value")
    steps, rows = table.index.to_numpy(), list(table.columns)
    image = ax.pcolormesh(steps, np.arange(len(rows)), table.to_numpy().T, cmap=style.DELTA_F_CMAP,
                          vmin=0, vmax=1, shading="nearest")
    seeds = sorted({seed for seed, _ in rows})
    names = [f"seed {seed} · k={int(k)}" if len(seeds) > 1 else f"k={int(k)}" for seed, k in rows]
    ax.set_yticks(np.arange(len(rows)), names if labels else [])
    for i in range(1, len(rows)):
        if rows[i][0] != rows[i - 1][0]:
            ax.axhline(i - 0.5, color="white", lw=2)
    spectrum_cfg = cfg["spectrum"]
    converged = convergence(metrics, spectrum_cfg["threshold"], spectrum_cfg["window"]).set_index(["seed", "k"])["converged_at"]
    for i, (seed, k) in enumerate(rows):
        at = converged.get((seed, int(k)), np.nan)
        if np.isfinite(at):
            ax.plot(at, i, marker="|", color="black", ms=9, mew=2)
        else:
            ax.text(steps[-1], i, " never", va="center", ha="left", fontsize="x-small", clip_on=False)
    failing = [seed for seed in seeds
               if not strictly_increasing(converged.xs(seed, level="seed").sort_index().to_numpy())]
    ax.set_xlabel("step")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="ΔF (relative error)")
    return image, failing


def order_note(failing: list, seeds: int) -> str:
    """A title fragment: in how many seeds the order holds."""
    return f"order holds in {seeds - len(failing)}/{seeds} seeds" + (
        f" (fails: seed {', '.join(map(str, failing))})" if failing else "")


def snapshot_steps(run: pd.DataFrame) -> list[int]:
    return sorted(metric(run, "output")["step"].unique())
