"""basri_label_noise, the analysis side: from the accuracy curves, whether the clean test accuracy
peaks early (before the net memorises the noisy labels), whether early stopping on the noisy
validation labels recovers that peak, and whether the noisy labels end up memorised."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from ...analysis.classify import with_epochs
from ...claims import Claim


def curves(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per seed and epoch: train, validation and test accuracy (one column each)."""
    rows = with_epochs(metrics)
    rows = rows[rows["metric"].isin(["train_accuracy", "validation_accuracy", "test_accuracy"])]
    table = rows.pivot_table(index=["seed", "epoch"], columns="metric", values="value").reset_index()
    return table.rename(columns=lambda c: c.removesuffix("_accuracy"))


def summary(metrics: pd.DataFrame, memorised: float = 1.0) -> pd.DataFrame:
    """Per seed: the final epoch's accuracies, the test peak (value, epoch), the test accuracy at
    the epoch of best validation accuracy (the first such epoch: the early-stopping point), and
    the first epoch at which the train accuracy on the noisy labels reaches ``memorised`` (NaN if
    it never does) and at which it passes the share of true training labels (``clean_passed``)."""
    share = metrics[metrics["metric"] == "train_clean_label_share"].groupby("seed")["value"].first()

    def first_epoch(run: pd.DataFrame, reached: pd.Series) -> float:
        return float(run["epoch"][reached.idxmax()]) if reached.any() else np.nan

    rows = []
    for seed, run in curves(metrics).groupby("seed", sort=True):
        run = run.sort_values("epoch").reset_index(drop=True)
        peak, stop, last = run["test"].idxmax(), run["validation"].idxmax(), run.index[-1]
        rows.append(
            (
                seed,
                run["epoch"][last],
                run["train"][last],
                run["test"][last],
                run["test"][peak],
                run["epoch"][peak],
                run["epoch"][stop],
                run["test"][stop],
                first_epoch(run, run["train"] >= memorised),
                first_epoch(run, run["train"] > share.get(seed, np.inf)),
            )
        )
    columns = [
        "seed",
        "last_epoch",
        "final_train",
        "final_test",
        "peak_test",
        "peak_epoch",
        "stop_epoch",
        "stop_test",
        "memorised_epoch",
        "clean_passed",
    ]
    return pd.DataFrame(rows, columns=columns)


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    table = summary(metrics, limits["train_accuracy_min"])
    # "early": within the first early_fraction of the epochs the net needs to memorise
    horizon = table["memorised_epoch"].fillna(table["last_epoch"])
    table["early_by"] = limits["early_fraction"] * horizon
    name = metrics["dataset_name"].iloc[0] if "dataset_name" in metrics.columns else cfg["data"]["dataset"]
    noise = f"{cfg['noise']:.0%} random training and validation labels"
    clean_share = metrics[metrics["metric"] == "train_clean_label_share"]["value"].mean()

    def per_run(fmt) -> str:
        return "; ".join(f"seed {r.seed}: {fmt(r)}" for r in table.itertuples())

    ok = len(table) > 0
    row = partial(Claim)
    return [
        row(
            claim="test_accuracy_peaks_early",
            statement=f"{name}, {noise}: the clean test accuracy peaks early, far above its final value",
            measured=per_run(
                lambda r: (
                    f"peak {r.peak_test:.3f} at epoch {r.peak_epoch:g}, final {r.final_test:.3f} at "
                    f"epoch {r.last_epoch:g}; train accuracy ≥ {limits['train_accuracy_min']} from epoch "
                    f"{'never' if np.isnan(r.memorised_epoch) else f'{r.memorised_epoch:g}'}, above the true-label "
                    f"share from epoch {'never' if np.isnan(r.clean_passed) else f'{r.clean_passed:g}'}"
                )
            ),
            threshold=(
                f"peak − final ≥ {limits['peak_margin']} and peak epoch ≤ {limits['early_fraction']} × the epoch at which "
                f"the train accuracy on the noisy labels reaches {limits['train_accuracy_min']} (the last epoch if never)"
            ),
            passed=bool(
                (
                    (table["peak_test"] - table["final_test"] >= limits["peak_margin"])
                    & (table["peak_epoch"] <= table["early_by"])
                ).all()
            )
            if ok
            else None,
        ),
        row(
            claim="early_stopping_works",
            statement="stopping at the best accuracy on the (equally noisy) validation labels recovers the clean test peak",
            measured=per_run(
                lambda r: (
                    f"test {r.stop_test:.3f} at best-validation epoch {r.stop_epoch:g} vs final {r.final_test:.3f}"
                )
            ),
            threshold=f"test at the best-validation epoch ≥ final test + {limits['early_stop_margin']}",
            passed=bool((table["stop_test"] >= table["final_test"] + limits["early_stop_margin"]).all())
            if ok
            else None,
        ),
        row(
            claim="noisy_labels_memorised",
            statement="by the end the net has memorised the random training labels: the fall of the test accuracy is overfitting",
            measured=per_run(lambda r: f"final train accuracy (noisy labels) {r.final_train:.3f}"),
            threshold=f"≥ {limits['train_accuracy_min']} (a perfectly clean classifier scores "
            f"{clean_share:.2f} on these labels)",
            passed=bool((table["final_train"] >= limits["train_accuracy_min"]).all()) if ok else None,
        ),
    ]
