"""XZLXM19 Poisson: the error of a DNN, of Jacobi iteration and of the DNN-then-Jacobi hybrid,
per mode of the solution and in total, against iterations (one DNN step = one sweep)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ...figures import style
from ...targets.poisson_problem import interior_grid, make_problem
from ...theory.jacobi import contraction_factors, laplacian_eigenvalues
from .claims import SOLVERS, iterations_to_target, mode_convergence

TITLES = {
    "dnn": "DNN (Adam on the {loss} loss)",
    "jacobi": "Jacobi (ω = {omega:.3g})",
    "hybrid": "hybrid: DNN, then Jacobi",
}
SOLVER_COLORS = {"dnn": style.OUTPUT, "jacobi": "#2ca02c", "hybrid": "#9467bd"}


def _jacobi_theory(cfg: dict, steps: np.ndarray, k: int) -> np.ndarray:
    """Mode k's relative error from u = 0 after t sweeps, from the analytic contraction factor:
    |(u_h,k − u_k) − ρ^t u_h,k| / |u_k|, with u_h,k = u_k (kπ)² / λ_2k (the FD solution)."""
    n = cfg["n_interior"]
    _, h = interior_grid(n)
    rho = contraction_factors(n, cfg["jacobi"]["omega"])[2 * k - 1]
    fd_ratio = (k * np.pi) ** 2 / laplacian_eigenvalues(n, h)[2 * k - 1]  # u_h,k / u_k
    return np.abs((fd_ratio - 1) - rho**steps * fd_ratio)


def _mode_panel(ax, rows: pd.DataFrame, cfg: dict, solver: str, palette) -> None:
    errors = rows[rows["metric"] == "mode_error"]
    converged = mode_convergence(rows.assign(solver=solver), cfg, solver)
    for (seed, k), line in errors.groupby(["seed", "key"]):
        line = line.sort_values("step")
        color = palette[int(k)]
        ax.plot(
            line["step"],
            line["value"],
            color=color,
            lw=1.3,
            alpha=0.85,
            label=f"k={int(k)}" if seed == errors["seed"].min() else None,
        )
        at = converged.get(int(seed), pd.Series(dtype=float)).get(int(k), np.nan)
        if np.isfinite(at):
            ax.plot(at, cfg["error"]["mode_threshold"], marker="|", color=color, ms=10, mew=2)
    if solver == "jacobi":
        steps = np.sort(errors["step"].unique()).astype(float)
        for k in sorted(errors["key"].unique()):
            ax.plot(
                steps,
                _jacobi_theory(cfg, steps, int(k)),
                color="black",
                lw=0.8,
                ls="--",
                label="analytic ρ^t" if k == errors["key"].min() else None,
            )
    ax.axhline(cfg["error"]["mode_threshold"], color="grey", lw=0.8, ls=":")
    ax.set(yscale="log", xlabel="iteration", ylabel="relative error of mode k")
    ax.legend(frameon=False, fontsize="x-small")


def _spectrum_panel(ax, rows: pd.DataFrame, title: str) -> None:
    """|c_κ(u_it − u)| over (κ, iteration) for the first seed, on a log colour scale."""
    spectrum = rows[(rows["metric"] == "error_spectrum") & (rows["seed"] == rows["seed"].min())]
    table = spectrum.pivot_table(index="key", columns="step", values="value")
    image = ax.pcolormesh(
        table.columns, table.index, np.log10(np.maximum(table.to_numpy(), 1e-8)), cmap="viridis", shading="nearest"
    )
    ax.figure.colorbar(image, ax=ax, label="log₁₀ |error coefficient|")
    ax.set(xlabel="iteration", ylabel="wavenumber κ (sin kπx at κ = k)", title=title)


def _total_panel(ax, metrics: pd.DataFrame, cfg: dict) -> None:
    target = cfg["error"]["target"]
    for solver in SOLVERS:
        rows = metrics[(metrics["solver"] == solver) & (metrics["metric"] == "rel_error")]
        for seed, line in rows.groupby("seed"):
            line = line.sort_values("step")
            ax.plot(
                line["step"],
                line["value"],
                color=SOLVER_COLORS[solver],
                lw=1.4,
                alpha=0.85,
                label=solver if seed == rows["seed"].min() else None,
            )
    table = iterations_to_target(metrics, cfg)
    for row in table.itertuples():
        if np.isfinite(row.iterations):
            ax.plot(row.iterations, target, "o", mfc="none", color=SOLVER_COLORS[row.solver], ms=6)
    ax.axhline(target, color="grey", lw=0.8, ls=":", label=f"target {target:g}")
    ax.axvline(cfg["hybrid"]["dnn_steps"], color=SOLVER_COLORS["hybrid"], lw=0.8, ls="--", label="hand-over")
    ax.set(
        yscale="log",
        xlabel="iteration (DNN step or Jacobi sweep)",
        ylabel="relative L² error",
        title="total error; circles: target reached",
    )
    ax.legend(frameon=False, fontsize="x-small")


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    modes = [int(k) for k in make_problem(cfg["problem"]).wavenumbers]
    palette = dict(zip(modes, sns.color_palette("rocket_r", len(modes) + 1)[1:]))
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.4), layout="constrained")
    for ax, solver in zip(axes[0], SOLVERS):
        _mode_panel(ax, metrics[metrics["solver"] == solver], cfg, solver, palette)
        ax.set_title(TITLES[solver].format(loss=cfg["dnn"]["loss"], omega=cfg["jacobi"]["omega"]))
    _spectrum_panel(axes[1, 0], metrics[metrics["solver"] == "dnn"], "DNN: error spectrum")
    _spectrum_panel(axes[1, 1], metrics[metrics["solver"] == "jacobi"], "Jacobi: error spectrum")
    _total_panel(axes[1, 2], metrics, cfg)
    n_seeds = metrics["seed"].nunique()
    fig.suptitle(
        f"−u'' = g on [−1, 1], {cfg['n_interior']} interior points: the error of each solver, per mode of the "
        f"solution and in total ({n_seeds} seed{'s' if n_seeds > 1 else ''}, one line each; ticks: converged)",
        fontsize="medium",
    )
    style.despine(fig)
    return fig
