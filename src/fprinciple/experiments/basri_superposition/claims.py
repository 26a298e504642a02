"""basri_superposition, the analysis side: the step from which each component's projection stays
fitted, per seed; the low component must be fitted long before the high one, and the whole target by the end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import Claim
from ...spectral.dft import convergence_steps


def fitted_steps(metrics: pd.DataFrame, fraction: float) -> pd.DataFrame:
    """Per run and frequency k: the first logged step from which ⟨f, u_k⟩ stays above `fraction`
    of the target's ⟨y, u_k⟩ to the end of the run (NaN: never; a transient crossing does not
    count), and the last step the run reached."""
    rows = []
    for seed, group in metrics.groupby("seed", sort=True):
        target = group[group["metric"] == "target_coefficient"].set_index("key")["value"]
        coefficient = group[group["metric"] == "coefficient"]
        last = int(group["step"].max())
        for k, history in coefficient.groupby("key", sort=True):
            history = history.sort_values("step")
            shortfall = 1.0 - history["value"].to_numpy() / target[k]
            at = convergence_steps(history["step"].to_numpy(), shortfall[:, None], 1.0 - fraction)[0]
            rows.append((seed, int(k), float(at), last))
    return pd.DataFrame(rows, columns=["seed", "k", "fitted_at", "last_step"])


def relative_errors(metrics: pd.DataFrame) -> pd.Series:
    """Per seed: ‖f − y‖/‖y‖ at the last step."""
    errors = {}
    for seed, group in metrics.groupby("seed", sort=True):
        y = group[group["metric"] == "target"].sort_values("key")["value"].to_numpy()
        outputs = group[group["metric"] == "output"]
        f = outputs[outputs["step"] == outputs["step"].max()].sort_values("key")["value"].to_numpy()
        errors[seed] = np.linalg.norm(f - y) / np.linalg.norm(y)
    return pd.Series(errors, dtype=float)


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    fraction, ratio = limits["fraction"], limits["ratio_min"]
    table = fitted_steps(metrics, fraction)
    k_low, k_high = cfg["frequencies"][0], cfg["frequencies"][-1]

    holds, described = [], []
    for seed, group in table.groupby("seed", sort=True):
        at = group.set_index("k")["fitted_at"]
        t_low, t_high, last = at.get(k_low, np.nan), at.get(k_high, np.nan), int(group["last_step"].iloc[0])
        if not np.isfinite(t_low):
            holds.append(False)
            described.append(f"seed {seed}: sin {k_low}θ not fitted by step {last}")
            continue
        # A component not fitted within the run is fitted after its last step, at the earliest.
        high = t_high if np.isfinite(t_high) else last + 1
        holds.append(bool(high > t_low and high >= ratio * t_low))
        high_text = f"{int(t_high)}" if np.isfinite(t_high) else f"not by step {last}"
        ratio_text = "∞" if t_low == 0 else f"{'' if np.isfinite(t_high) else '> '}{high / t_low:.1f}"
        described.append(f"seed {seed}: t(k={k_low}) = {int(t_low)}, t(k={k_high}) = {high_text}, ratio {ratio_text}")

    errors = relative_errors(metrics)
    error_max = limits["final_error_max"]
    return [
        Claim(
            claim="low_component_fitted_first",
            statement=f"the sin {k_low}θ component is fitted long before the sin {k_high}θ component",
            measured="; ".join(described),
            threshold=(
                f"t(k) = first logged step from which ⟨f,u_k⟩ > {fraction}·⟨y,u_k⟩ to the end of the run; "
                f"t(k={k_high}) ≥ {ratio}·t(k={k_low})"
            ),
            passed=all(holds) if holds else None,
        ),
        Claim(
            claim="final_output_fits_target",
            statement="training ends with the whole target fitted, both components included",
            measured=f"‖f−y‖/‖y‖ = {errors.max():.3f} at the last step (worst run)",
            threshold=f"< {error_max}",
            passed=bool((errors < error_max).all()) if len(errors) else None,
        ),
    ]
