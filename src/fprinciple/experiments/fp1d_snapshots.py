"""fp1d_snapshots — seed 004 fig 1.3: fitting sin x + sin 5x, the early output already follows
sin x (the low-frequency outline) while the sin 5x wiggles are fitted much later."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim
from ..engines.fit1d import run_configured
from ..targets.functions1d import make_target
from . import seed_runs

PAPER_FIGURE = "seed 004 fig 1.3 (XZLXM19)"


def dataset(cfg: dict) -> str:
    return "synthetic 1-D target sin x + sin 5x on a uniform grid"


runs = seed_runs
run = run_configured


def distances(metrics, cfg: dict):
    """Per run and snapshot step: relative L2 distance of the output to the low-frequency part
    (the target's first sine term) and to the whole target."""
    target = cfg["target"]
    low_spec = {**target, "frequencies": target["frequencies"][:1], "amplitudes": target.get("amplitudes", [1.0])[:1]}
    rows = []
    for (run_name, step), group in metrics[metrics["metric"] == "output"].groupby(["run", "step"]):
        x, h = group["key"].to_numpy(), group["value"].to_numpy()
        y, y_low = make_target(x, target), make_target(x, low_spec)
        rows.append(
            (run_name, step, np.linalg.norm(h - y_low) / np.linalg.norm(y_low), np.linalg.norm(h - y) / np.linalg.norm(y))
        )
    return pd.DataFrame(rows, columns=["run", "step", "to_low", "to_target"])


def claims(metrics, cfg: dict):
    early, final = cfg["snapshot_steps"][1], cfg["steps"]
    limits = cfg["claims"]
    k_low, k_high = cfg["target"]["frequencies"][0], cfg["target"]["frequencies"][-1]
    sin_low, sin_high = (f"sin {'' if k == 1 else k}x" for k in (k_low, k_high))
    delta = metrics[(metrics["metric"] == "delta_f") & (metrics["step"] == early)]
    low, high = delta[delta["key"] == k_low]["value"], delta[delta["key"] == k_high]["value"]
    table = distances(metrics, cfg)
    at_early, at_final = table[table["step"] == early], table[table["step"] == final]
    return [
        Claim(
            claim="early_output_is_low_frequency",
            statement=f"at step {early} the output follows {sin_low}: that component is fitted, {sin_high} is not",
            measured=(
                f"ΔF(k={k_low}) = {low.max():.3f}, ΔF(k={k_high}) = {high.min():.3f} (worst runs); "
                f"‖h−{sin_low}‖/‖{sin_low}‖ = {at_early['to_low'].max():.2f} vs ‖h−y‖/‖y‖ = {at_early['to_target'].min():.2f}"
            ),
            threshold=f"ΔF(k={k_low}) < {limits['low_fitted_max']} and ΔF(k={k_high}) > {limits['high_unfitted_min']} in every run",
            passed=bool(len(low) > 0 and (low < limits["low_fitted_max"]).all() and (high > limits["high_unfitted_min"]).all()),
        ),
        Claim(
            claim="final_output_fits_target",
            statement=f"by step {final} the high frequency is fitted too: the output matches the target",
            measured=f"‖h−y‖/‖y‖ = {at_final['to_target'].max():.3f} (worst run)",
            threshold=f"< {limits['final_to_target_max']} in every run",
            passed=bool(len(at_final) > 0 and (at_final["to_target"] < limits["final_to_target_max"]).all()),
        ),
    ]
