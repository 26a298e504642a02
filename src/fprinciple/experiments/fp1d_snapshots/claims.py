"""fp1d_snapshots, the analysis side: at the early snapshot the output is the low-frequency part
(sin x fitted, sin 5x not), and sin 5x converges later than sin x."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...analysis.fit1d import convergence, convergence_rule
from ...claims import Claim
from ...targets.functions1d import make_target


def low_part(target: dict) -> dict:
    """The target's low-frequency part: its first sine term."""
    amplitudes = target.get("amplitudes")  # none: every amplitude 1, as in make_target
    return {
        **target,
        "frequencies": target["frequencies"][:1],
        "amplitudes": None if amplitudes is None else amplitudes[:1],
    }


def distances(metrics, cfg: dict):
    """Per seed and snapshot step: relative L2 distance of the output to the low-frequency part
    (the target's first sine term) and to the whole target."""
    target = cfg["target"]
    low_spec = low_part(target)
    rows = []
    for (seed, step), group in metrics[metrics["metric"] == "output"].groupby(["seed", "step"]):
        x, h = group["key"].to_numpy(), group["value"].to_numpy()
        y, y_low = make_target(x, target), make_target(x, low_spec)
        rows.append(
            (seed, step, np.linalg.norm(h - y_low) / np.linalg.norm(y_low), np.linalg.norm(h - y) / np.linalg.norm(y))
        )
    return pd.DataFrame(rows, columns=["seed", "step", "to_low", "to_target"])


def _sine(k: float) -> str:
    return f"sin {'' if k == 1 else f'{k:g}'}x"


def claims(metrics, cfg: dict):
    early, final = cfg["snapshot_steps"][1], cfg["steps"]
    limits = cfg["claims"]
    k_low, k_high = cfg["target"]["frequencies"][0], cfg["target"]["frequencies"][-1]
    sin_low, sin_high = _sine(k_low), _sine(k_high)
    delta = metrics[(metrics["metric"] == "delta_f") & (metrics["step"] == early)]
    low, high = delta[delta["key"] == k_low]["value"], delta[delta["key"] == k_high]["value"]
    table = distances(metrics, cfg)
    at_early, at_final = table[table["step"] == early], table[table["step"] == final]
    converged = convergence(metrics, cfg["spectrum"]["threshold"], cfg["spectrum"]["window"])
    converged = converged[converged["k"].isin([k_low, k_high])].pivot(index="seed", columns="k", values="converged_at")
    # NaN (never converged) compares False, so a run where either peak never converges fails.
    later = converged[k_high] > converged[k_low] if {k_low, k_high} <= set(converged.columns) else pd.Series(dtype=bool)
    fitted = at_final["to_target"] < limits["final_to_target_max"]
    steps = (
        "; ".join(
            f"seed {seed}: {sin_low} at {'never' if np.isnan(row[k_low]) else int(row[k_low])}, "
            f"{sin_high} at {'never' if np.isnan(row[k_high]) else int(row[k_high])}"
            for seed, row in converged.iterrows()
        )
        if len(later)
        else "no ΔF logged at both frequencies"
    )
    return [
        Claim(
            claim="early_output_is_low_frequency",
            statement=f"at step {early} the output follows {sin_low}: that component is fitted, {sin_high} is not",
            measured=(
                f"ΔF(k={k_low}) = {low.max():.3f}, ΔF(k={k_high}) = {high.min():.3f} (worst runs); "
                f"‖h−{sin_low}‖/‖{sin_low}‖ = {at_early['to_low'].max():.2f} vs ‖h−y‖/‖y‖ = {at_early['to_target'].min():.2f}"
            ),
            threshold=f"ΔF(k={k_low}) < {limits['low_fitted_max']} and ΔF(k={k_high}) > {limits['high_unfitted_min']}",
            passed=bool((low < limits["low_fitted_max"]).all() and (high > limits["high_unfitted_min"]).all())
            if len(low)
            else None,
        ),
        Claim(
            claim="high_frequency_fitted_later",
            statement=f"the {sin_high} wiggles are fitted later than {sin_low}, and by step {final} the output matches the target",
            measured=f"converged ({steps}); ‖h−y‖/‖y‖ at step {final} = {at_final['to_target'].max():.3f} (worst run)",
            threshold=(
                f"{sin_high} converges ({convergence_rule(cfg)}) at a later step than {sin_low}, "
                f"and ‖h−y‖/‖y‖ < {limits['final_to_target_max']} at step {final}"
            ),
            passed=bool(later.all() and len(fitted) > 0 and fitted.all()) if len(later) else None,
        ),
    ]
