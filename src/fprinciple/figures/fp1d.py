"""Figures of the 1-D F-Principle experiments (seed 004 figs 1.3–1.6, XZX18)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import style


def _metric(metrics: pd.DataFrame, name: str) -> pd.DataFrame:
    return metrics[metrics["metric"] == name]


def _first_run(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["run"] == sorted(metrics["run"].unique())[0]]


def _curve(metrics: pd.DataFrame, name: str, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rows = _metric(metrics, name)
    if step is not None:
        rows = rows[rows["step"] == step]
    rows = rows.sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def _delta_matrix(metrics: pd.DataFrame):
    """ΔF as (steps, peaks, matrix[step, peak]), averaged over the runs given."""
    table = _metric(metrics, "delta_f").pivot_table(index="step", columns="key", values="value", aggfunc="mean")
    return table.index.to_numpy(), table.columns.to_numpy(), table.to_numpy()


def _snapshot_steps(run: pd.DataFrame) -> list[int]:
    return sorted(_metric(run, "output")["step"].unique())


def fp1d_snapshots(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = _first_run(metrics)
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    x, y = _curve(run, "target")
    k_low, a_low = cfg["target"]["frequencies"][0], cfg["target"].get("amplitudes", [1.0])[0]
    steps = _snapshot_steps(run)
    for step, color in zip(steps, style.output_shades(len(steps))):
        ax.plot(*_curve(run, "output", step), color=color, lw=2.5, label=f"DNN, step {step}")
    ax.plot(x, a_low * np.sin(k_low * x), "--", color="grey", lw=1, label="low-frequency part", zorder=4)
    ax.plot(x, y, color=style.TARGET, lw=1, label="target", zorder=4)
    ax.scatter(x, y, s=5, color="black", zorder=5, label="training data")
    ax.set(xlabel="x", ylabel="f(x)", title="Fitting sin x + sin 5x: the outline comes first")
    ax.legend(fontsize="small", frameon=False, ncol=2)
    style.despine(fig)
    return fig


def fp1d_step(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = _first_run(metrics)
    steps = _snapshot_steps(run)
    fig = plt.figure(figsize=(2.6 * len(steps), 7.2), layout="constrained")
    grid = fig.add_gridspec(3, len(steps), height_ratios=[1, 1, 0.8])
    x, y = _curve(run, "target")
    k, y_hat = _curve(run, "target_spectrum", 0)
    peaks = _delta_matrix(run)[1]
    for col, step in enumerate(steps):
        top = fig.add_subplot(grid[0, col])
        top.plot(x, y, color=style.TARGET, lw=1.2, label="target")
        top.plot(*_curve(run, "output", step), color=style.OUTPUT, lw=1.5, label="DNN")
        top.set(title=f"step {step}", xlabel="x", ylabel="f(x)" if col == 0 else None)
        bottom = fig.add_subplot(grid[1, col])
        bottom.plot(k, y_hat, "--", color=style.TARGET, lw=1.2, label="target")
        bottom.plot(*_curve(run, "spectrum", step), color=style.OUTPUT, lw=1.5, label="DNN")
        bottom.plot(peaks, y_hat[peaks.astype(int)], "o", mfc="none", color="black", ms=5)
        bottom.set(xlabel="frequency index k", ylabel="|FFT|" if col == 0 else None)
        if col == 0:
            top.legend(fontsize="small", frameon=False)
    heat = fig.add_subplot(grid[2, :])
    style.delta_f_heatmap(heat, *_delta_matrix(run))
    heat.set_title("relative error ΔF at the target's peaks (red: fitted)")
    style.despine(fig)
    return fig


def fp1d_equal_amp(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = _first_run(metrics)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained", width_ratios=[1, 1, 1.4])
    x, y = _curve(run, "target")
    axes[0].plot(x, y, color=style.TARGET)
    axes[0].set(xlabel="x", ylabel="f(x)", title="target sin x + sin 3x + sin 5x")
    k, y_hat = _curve(run, "target_spectrum", 0)
    steps, peaks, delta = _delta_matrix(metrics)
    axes[1].plot(k, y_hat, color=style.TARGET)
    axes[1].plot(peaks, y_hat[peaks.astype(int)], "o", mfc="none", color="black", ms=6, label="peaks")
    axes[1].set(xlabel="frequency index k", ylabel="|FFT|", title="target spectrum")
    axes[1].legend(frameon=False)
    style.delta_f_heatmap(axes[2], steps, peaks, delta)
    axes[2].set_title(f"ΔF at the peaks (mean of {metrics['run'].nunique()} seeds)")
    style.despine(fig)
    return fig


def fp1d_robustness(metrics: pd.DataFrame, cfg: dict):
    style.use()
    activations, optimizers, depths = cfg["activations"], list(cfg["optimizers"]), cfg["depths"]
    columns = [(o, d) for o in optimizers for d in depths]
    fig, axes = plt.subplots(
        len(activations), len(columns), figsize=(2.3 * len(columns), 1.9 * len(activations)),
        layout="constrained", sharey=True, squeeze=False,
    )
    for row, activation in enumerate(activations):
        for col, (optimizer, depth) in enumerate(columns):
            cell = metrics[(metrics["activation"] == activation) & (metrics["optimizer"] == optimizer) & (metrics["depth"] == depth)]
            ax = axes[row, col]
            image = style.delta_f_heatmap(ax, *_delta_matrix(cell), colorbar=False)
            ax.set_title(f"{activation} · {optimizer} · depth {depth}", fontsize="small")
            ax.tick_params(labelsize="x-small")
            if row < len(activations) - 1:
                ax.set_xlabel(None)
    fig.colorbar(image, ax=axes, label="ΔF (red: fitted)", shrink=0.6)
    return fig

