"""Figures of the BJKK19 fitting experiments on the circle (fig. 1): superposition (left) and
missing data (right). Both read nothing but the metrics table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..targets.sphere import sine, unit_norm
from . import style

# One colour per frequency component (low, high, ...), distinct from target red and output blue.
COMPONENT_COLORS = ["#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _first_run(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["run"] == sorted(metrics["run"].unique())[0]]


def _curve(run: pd.DataFrame, name: str, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rows = run[run["metric"] == name]
    if step is not None:
        rows = rows[rows["step"] == step]
    rows = rows.sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def _pi_ticks(ax) -> None:
    ax.set_xticks([-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi], ["−π", "−π/2", "0", "π/2", "π"])


def basri_superposition(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = _first_run(metrics)
    theta, y = _curve(run, "target")
    ks, target_coefficients = _curve(run, "target_coefficient", 0)
    steps = sorted(run[run["metric"] == "output"]["step"].unique())
    last = int(run["step"].max())
    fraction = cfg["claims"]["fraction"]

    fig = plt.figure(figsize=(2.9 * len(steps), 6.4), layout="constrained")
    grid = fig.add_gridspec(2, len(steps), height_ratios=[1, 0.9])
    limit = 1.25 * np.abs(y).max()
    for col, step in enumerate(steps):
        ax = fig.add_subplot(grid[0, col])
        f = _curve(run, "output", step)[1]
        ax.plot(theta, y, color=style.TARGET, lw=1, label="target", zorder=2)
        ax.plot(theta, f, color=style.OUTPUT, lw=2, label="DNN output", zorder=3)
        for k, color in zip(ks, COMPONENT_COLORS):
            u = unit_norm(sine(theta, k))
            ax.plot(theta, (u @ f) * u, "--", color=color, lw=1.1, label=f"⟨f, u_k⟩ u_k, k = {int(k)}", zorder=1)
        title = f"step {step}" + (" (final)" if step == last else "")
        ax.set(title=title, xlabel="θ", ylim=(-limit, limit))
        _pi_ticks(ax)
        if col == 0:
            ax.set_ylabel("f(θ)")
        else:
            ax.tick_params(labelleft=False)
    fig.legend(*fig.axes[0].get_legend_handles_labels(), loc="outside upper center", ncol=2 + len(ks),
               frameon=False, fontsize="small")

    ax = fig.add_subplot(grid[1, :])
    coefficients = run[(run["metric"] == "coefficient") & (run["step"] > 0)]
    for k, target, color in zip(ks, target_coefficients, COMPONENT_COLORS):
        history = coefficients[coefficients["key"] == k].sort_values("step")
        ax.plot(history["step"], history["value"] / target, color=color, lw=1.8, label=f"k = {int(k)}")
        reached = history[history["value"] >= fraction * target]
        if len(reached):
            ax.axvline(reached["step"].iloc[0], color=color, lw=0.8, ls=":")
    ax.axhline(fraction, color="grey", lw=0.8, ls="--", label=f"{fraction:g} of the target's coefficient")
    ax.set(xscale="log", xlabel="step", ylabel="⟨f, u_k⟩ / ⟨y, u_k⟩",
           title="fitted fraction of each component (dotted: first step it reaches the line)")
    ax.legend(frameon=True, framealpha=0.9, edgecolor="none", fontsize="small", loc="lower right")
    style.despine(fig)
    return fig


def _missing_data_panel(ax, run: pd.DataFrame, w: float, k: int, title: str) -> None:
    theta_train, y_train = _curve(run, "target")
    steps = sorted(run[run["metric"] == "output"]["step"].unique())
    steps = [s for s in steps if s > 0] or steps  # the untrained output is nearly flat: no curve
    ax.axvspan(-w, w, color="0.92", zorder=0, label="gap (no training data)")
    grid, _ = _curve(run, "output", steps[-1])
    ax.plot(grid, sine(grid, k), "--", color=style.TARGET, lw=1, label=f"sin {k}θ (target)", zorder=3)
    for step, color in zip(steps, style.output_shades(len(steps))):
        final = step == steps[-1]
        ax.plot(*_curve(run, "output", step), color=color, lw=2.4 if final else 1.2,
                label="DNN, final step" if final else f"DNN, step {step}", zorder=4 if final else 2)
    ax.scatter(theta_train, y_train, s=16, color="black", zorder=5, label="training points")
    ax.set(ylabel="f(θ)", xlim=(-np.pi, np.pi), title=f"{title}; final step {steps[-1]}")
    _pi_ticks(ax)


def basri_missing_data(metrics: pd.DataFrame, cfg: dict):
    style.use()
    w, k = cfg["gap_half_width"], cfg["frequency"]
    if "hidden_bias" in metrics.columns:
        order = [b for b in ("normal", "zeros") if b in set(metrics["hidden_bias"])]
        groups = [(b, metrics[metrics["hidden_bias"] == b]) for b in order]
    else:
        groups = [("", metrics)]
    titles = {
        "normal": "hidden biases ~ N(0, 1/(3·fan_in)) at init",
        "zeros": "hidden biases zero at init (the authors' run)",
    }
    fig = plt.figure(figsize=(11, 3.1 * len(groups) + 0.4), layout="constrained")
    grid = fig.add_gridspec(len(groups), 2, width_ratios=[2.8, 1])
    loss_ax = fig.add_subplot(grid[:, 1])
    for row, (bias, group) in enumerate(groups):
        run = _first_run(group)
        ax = fig.add_subplot(grid[row, 0])
        _missing_data_panel(ax, run, w, k, titles.get(bias, f"fitting sin {k}θ with a gap of {np.degrees(2 * w):.0f}°"))
        if row == len(groups) - 1:
            ax.set_xlabel("θ")
        if row == 0:
            fig.legend(*ax.get_legend_handles_labels(), loc="outside upper center", ncol=6, frameon=False,
                       fontsize="small")
        loss = run[run["metric"] == "train_loss"].sort_values("step")
        zero_loss = 0.5 * np.sum(_curve(run, "target")[1] ** 2)
        loss_ax.plot(loss["step"].clip(lower=1), loss["value"] / zero_loss, color=style.OUTPUT,
                     ls="-" if row == 0 else "--", label=f"biases {bias}" if bias else None)
    loss_ax.set(xscale="log", yscale="log", xlabel="step", ylabel="loss / loss(f = 0)", title="training loss")
    if len(groups) > 1:
        loss_ax.legend(frameon=False, fontsize="small")
    style.despine(fig)
    return fig
