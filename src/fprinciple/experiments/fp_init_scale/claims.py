"""fp_init_scale, the analysis side: at the end of training, the 1-D fit's high-frequency energy
and the classifier's test error, each against the initialisation scale s, on fitted nets only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import Claim
from . import data_caption


def final(metrics: pd.DataFrame, part: str, names: list[str]) -> pd.DataFrame:
    """The part's scalar metrics ``names`` at each run's last logged step: one row per (s, seed)."""
    rows = metrics[(metrics["part"] == part) & metrics["metric"].isin(names)]
    last = rows.groupby(["seed", "init_std"])["step"].transform("max")
    rows = rows[rows["step"] == last]
    table = rows.pivot_table(index=["init_std", "seed"], columns="metric", values="value", dropna=False)
    return table.reindex(columns=names).reset_index()  # an all-NaN metric (the mean control's energy) stays


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    stds = sorted(float(s) for s in cfg["init_stds"])
    small, large = stds[0], stds[-1]
    threshold, accuracy_min = cfg["fit1d"]["loss_threshold"], limits["train_accuracy_min"]

    fits = final(metrics, "fit1d", ["high_freq_energy", "train_loss"])
    energy = fits.pivot(index="init_std", columns="seed", values="high_freq_energy").reindex(stds)
    fitted_1d = (fits.pivot(index="init_std", columns="seed", values="train_loss").reindex(stds) < threshold).all(
        axis=0
    )
    monotone = (np.diff(energy.to_numpy(), axis=0) > 0).all(axis=0)
    ratio = energy.loc[large] / energy.loc[small]
    k_min = cfg["fit1d"]["high_freq_min"]
    energy_holds = fitted_1d & monotone & (ratio >= limits["energy_ratio_min"])

    nets = final(metrics, "mnist", ["train_accuracy", "test_accuracy"])
    test_error = 1 - nets.pivot(index="init_std", columns="seed", values="test_accuracy").reindex(stds)
    train_accuracy = nets.pivot(index="init_std", columns="seed", values="train_accuracy").reindex(stds)
    fitted_net = (train_accuracy.loc[[small, large]] >= accuracy_min).all(axis=0)
    worse = test_error.loc[large] - test_error.loc[small]
    caption = data_caption(cfg)
    worst_loss, worst_accuracy = fits["train_loss"].max(), nets["train_accuracy"].min()
    return [
        Claim(
            claim="larger_init_more_high_frequency",
            statement="a larger initialisation leaves more high-frequency energy in the learned 1-D function",
            measured=(
                f"energy at k ≥ {k_min} rises with s in {int(monotone.sum())}/{len(monotone)} seeds, fitted at every s in "
                f"{int(fitted_1d.sum())}/{len(fitted_1d)}; per s (mean over seeds): "
                + ", ".join(f"s={s:g}: {e:.1e}" for s, e in energy.mean(axis=1).items())
                + f"; s={large:g} / s={small:g}: ×{ratio.min():.0f} (worst seed)"
            ),
            threshold=(
                f"fitted (final MSE < {threshold:g}) at every s, and the energy strictly increasing over "
                f"s = {stds} and ≥ {limits['energy_ratio_min']}× from s={small:g} to s={large:g}"
            ),
            passed=bool(energy_holds.all()) if energy_holds.size else None,
        ),
        Claim(
            claim="larger_init_worse_test_error",
            statement=f"a larger initialisation generalises worse ({caption})",
            measured=(
                "test error per s (mean over seeds): "
                + ", ".join(f"s={s:g}: {e:.3f}" for s, e in test_error.mean(axis=1).items())
                + f"; s={large:g} − s={small:g}: {worse.min():+.3f} (worst seed); train accuracy ≥ {accuracy_min} at both "
                f"in {int(fitted_net.sum())}/{len(fitted_net)} seeds"
            ),
            threshold=(
                f"train accuracy ≥ {accuracy_min} at s={small:g} and s={large:g}, and the test error at "
                f"s={large:g} exceeds that at s={small:g} by ≥ {limits['test_error_margin']}"
            ),
            passed=bool((fitted_net & (worse >= limits["test_error_margin"])).all()) if len(worse) else None,
        ),
        Claim(
            claim="every_scale_fits_training_data",
            statement="every initialisation scale still fits its training data",
            measured=f"1-D: largest final MSE {worst_loss:.1e}; {caption}: lowest final train accuracy {worst_accuracy:.3f}",
            threshold=f"1-D MSE < {threshold:g} and train accuracy ≥ {accuracy_min} for every s",
            passed=bool(worst_loss < threshold and worst_accuracy >= accuracy_min) if len(fits) and len(nets) else None,
        ),
    ]
