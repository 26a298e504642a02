"""fp_poisson, the analysis side: per seed and solver, the iteration from which each solution mode's
error (and the total error) stays below its threshold; the DNN converges low to high, Jacobi high to
low, and the hybrid reaches the error target in the fewest iterations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import Claim, strictly_increasing
from ...spectral.dft import convergence_steps

SOLVERS = ("dnn", "jacobi", "hybrid")


def _pivot(rows: pd.DataFrame, metric: str) -> pd.DataFrame:
    return (
        rows[rows["metric"] == metric]
        .pivot_table(index="step", columns="key", values="value", aggfunc="first", dropna=False)
        .sort_index()
    )


def mode_convergence(metrics: pd.DataFrame, cfg: dict, solver: str) -> dict[int, pd.Series]:
    """Per seed: the iteration from which each solution mode's relative error stays below
    ``error.mode_threshold`` for ``error.window`` logged iterations (NaN: never), by k."""
    limits = cfg["error"]
    out = {}
    for seed, rows in metrics[metrics["solver"] == solver].groupby("seed"):
        history = _pivot(rows, "mode_error")
        if history.empty:
            continue
        steps = convergence_steps(
            history.index.to_numpy(), history.to_numpy(), limits["mode_threshold"], limits["window"]
        )
        out[int(seed)] = pd.Series(steps, index=history.columns.astype(int))
    return out


def iterations_to_target(metrics: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Per seed and solver: the iteration from which the relative error stays below
    ``error.target`` for ``error.window`` logged iterations (NaN: never), the last iteration the
    solver ran, and the logged wall time at the iteration reached (NaN if not logged)."""
    limits = cfg["error"]
    rows = []
    for (seed, solver), group in metrics[metrics["metric"] == "rel_error"].groupby(["seed", "solver"]):
        history = group.groupby("step")["value"].first().sort_index()
        reached = convergence_steps(
            history.index.to_numpy(), history.to_numpy()[:, None], limits["target"], limits["window"]
        )[0]
        wall = metrics[
            (metrics["seed"] == seed)
            & (metrics["solver"] == solver)
            & (metrics["metric"] == "wall_s")
            & (metrics["step"] == reached)
        ]["value"]
        rows.append(
            {
                "seed": int(seed),
                "solver": solver,
                "iterations": reached,
                "ran": int(history.index.max()),
                "wall_s": float(wall.iloc[0]) if len(wall) else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["seed", "solver", "iterations", "ran", "wall_s"])


def _steps_text(series: pd.Series) -> str:
    return ", ".join(f"k={k}: {'never' if np.isnan(v) else int(v)}" for k, v in series.items())


def _order_claim(metrics: pd.DataFrame, cfg: dict, solver: str, claim: str, statement: str, low_first: bool) -> Claim:
    by_seed = mode_convergence(metrics, cfg, solver)
    verdicts = {
        seed: strictly_increasing(steps.to_numpy() if low_first else steps.to_numpy()[::-1])
        for seed, steps in by_seed.items()
    }
    limits = cfg["error"]
    order = "increase" if low_first else "decrease"
    measured = "; ".join(f"seed {seed}: {_steps_text(steps)}" for seed, steps in by_seed.items()) or "no runs"
    return Claim(
        claim=claim,
        statement=statement,
        measured=(
            f"{solver}{' (' + cfg['dnn']['loss'] + ' loss)' if solver == 'dnn' else ''} converged at ({measured}); "
            f"order holds in {sum(verdicts.values())}/{len(verdicts)} seeds"
        ),
        threshold=(
            f"iteration from which the mode's relative error stays < {limits['mode_threshold']} for "
            f"{limits['window']} logged iterations; every mode converges within the run, at iterations "
            f"that {order} strictly with k"
        ),
        passed=all(verdicts.values()) if verdicts else None,
        note=LOSS_NOTE[cfg["dnn"]["loss"]] if solver == "dnn" else "",
    )


# Which loss the DNN's order rests on, in the row: XZLXM19 publish no code, and their text was not
# reachable to confirm the loss; the order holds with the Ritz energy and not with the strong form.
LOSS_NOTE = {
    "ritz": (
        "loss: the deep Ritz energy, the suite's choice; XZLXM19's own loss is unconfirmed (no public code); with "
        "the strong-form residual loss the modes converge in no consistent order (docs, 'The DNN's loss')"
    ),
    "residual": (
        "loss: the strong-form residual mean(−u'' − g)², which weights mode k by (kπ)⁴ and offsets the "
        "spectral bias; XZLXM19's own loss is unconfirmed (no public code)"
    ),
}


def _count(row) -> str:
    if np.isnan(row.iterations):
        return f"never in {row.ran}"
    wall = "" if np.isnan(row.wall_s) else f" ({row.wall_s:.2f} s)"
    return f"{int(row.iterations)}{wall}"


def hybrid_claim(metrics: pd.DataFrame, cfg: dict) -> Claim:
    table = iterations_to_target(metrics, cfg)
    limits, handover = cfg["error"], cfg["hybrid"]["dnn_steps"]
    verdicts, parts = {}, []
    for seed, rows in table.groupby("seed"):
        by = {r.solver: r for r in rows.itertuples()}
        if not set(SOLVERS) <= set(by):
            verdicts[seed] = False
            continue
        hybrid, jacobi, dnn = by["hybrid"], by["jacobi"], by["dnn"]
        fewer_than_dnn = (
            hybrid.iterations < dnn.iterations if np.isfinite(dnn.iterations) else hybrid.iterations <= dnn.ran
        )  # the DNN alone ran at least as long without reaching it
        verdicts[seed] = bool(
            np.isfinite(hybrid.iterations)
            and np.isfinite(jacobi.iterations)
            and hybrid.iterations < jacobi.iterations
            and fewer_than_dnn
        )
        parts.append(f"seed {seed}: hybrid {_count(hybrid)}, Jacobi {_count(jacobi)}, DNN {_count(dnn)}")
    return Claim(
        claim="hybrid_fewest_iterations",
        statement=(
            f"DNN for {handover} steps, then Jacobi from its solution, reaches the error target in fewer total "
            "iterations than the DNN or Jacobi alone"
        ),
        measured="iterations to the target (wall time, logging included): " + ("; ".join(parts) or "no runs"),
        threshold=(
            f"relative L² error < {limits['target']} for {limits['window']} logged iterations; one DNN step = one "
            "Jacobi sweep = one iteration; hybrid < Jacobi (which must reach it) and hybrid < DNN (or the DNN "
            "alone never reaches it in at least as many iterations)"
        ),
        passed=all(verdicts.values()) if verdicts else None,
        note="the claim counts iterations, as XZLXM19 do; the wall times next to them include the logging",
    )


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    return [
        _order_claim(
            metrics,
            cfg,
            "dnn",
            "dnn_low_to_high",
            "the DNN's error converges from low to high frequency",
            low_first=True,
        ),
        _order_claim(
            metrics,
            cfg,
            "jacobi",
            "jacobi_high_to_low",
            "Jacobi iteration's error converges from high to low frequency (its smoothing property)",
            low_first=False,
        ),
        hybrid_claim(metrics, cfg),
    ]
