"""dfp_resnet, the analysis side: by the number of blocks removed (seed means), the epoch that first
reaches a training accuracy, the final validation accuracy, and the summary k0 of S[−3] and its drop
during training."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...analysis.classify import with_epochs
from ...claims import Claim
from . import EFFECTIVE_LAYER


def per_variant(metrics: pd.DataFrame, metric: str, key: float | None = None) -> pd.DataFrame:
    """Rows (blocks_removed, seed), columns epoch: the metric's value (at ``key``, if given)."""
    rows = with_epochs(metrics)
    rows = rows[(rows["metric"] == metric) & ((rows["key"] == key) if key is not None else True)]
    return rows.pivot_table(index=["blocks_removed", "seed"], columns="epoch", values="value", aggfunc="mean")


def first_epoch_reaching(curves: pd.DataFrame, level: float) -> pd.Series:
    """Per row, the first logged epoch whose value is ≥ ``level`` (NaN: never)."""
    reached = curves.ge(level)
    epochs = curves.columns.to_numpy(dtype=float)
    return pd.Series(
        np.where(reached.any(axis=1), epochs[reached.to_numpy().argmax(axis=1)], np.nan), index=curves.index
    )


def _order(values: pd.Series, direction: int) -> bool:
    """Seed means strictly rise (+1) or fall (−1) with blocks_removed; every one finite."""
    v = values.sort_index().to_numpy(dtype=float)
    return bool(len(v) >= 2 and np.all(np.isfinite(v)) and np.all(direction * np.diff(v) > 0))


def _seed_mean(per_run: pd.Series) -> pd.Series:
    """Mean over seeds per variant, NaN where any seed has none (never reached, not measured)."""
    grouped = per_run.groupby(level="blocks_removed")
    return grouped.mean().where(grouped.apply(lambda s: s.notna().all()))


def _listed(values: pd.Series, fmt: str = ".3g") -> str:
    return ", ".join(
        f"−{int(r)}: " + ("never" if np.isnan(v) else format(v, fmt)) for r, v in values.sort_index().items()
    )


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    summary = limits["summary"]

    variants = f"blocks removed {', '.join(map(str, sorted(cfg['blocks_removed'])))}"

    train_accuracy = per_variant(metrics, "train_accuracy")
    reach = _seed_mean(first_epoch_reaching(train_accuracy, limits["train_accuracy"]))
    validation = per_variant(metrics, "validation_accuracy")
    final_validation = _seed_mean(validation.iloc[:, -1]) if validation.shape[1] else pd.Series(dtype=float)
    learned = bool(len(final_validation) and (final_validation >= limits["min_validation_accuracy"]).all())

    frequency = per_variant(metrics, f"{summary}_k0", EFFECTIVE_LAYER)
    first = _seed_mean(frequency.iloc[:, 0]) if frequency.shape[1] else pd.Series(dtype=float)
    last = _seed_mean(frequency.iloc[:, -1]) if frequency.shape[1] else pd.Series(dtype=float)
    drop = 1 - last / first
    moved = bool(len(drop) and np.all(np.isfinite(drop)) and (drop >= limits["min_drop"]).all())
    return [
        Claim(
            claim="more_blocks_train_faster",
            statement="the nets with more residual blocks train faster",
            measured=f"mean first epoch with training accuracy ≥ {limits['train_accuracy']:g}, by blocks removed: {_listed(reach)}",
            threshold=f"strictly rises with the number of blocks removed ({variants}), every run reaching it",
            passed=_order(reach, +1),
        ),
        Claim(
            claim="more_blocks_generalise_better",
            statement="the nets with more residual blocks reach a better validation accuracy",
            measured=f"mean final validation accuracy by blocks removed: {_listed(final_validation)}",
            threshold=f"strictly falls with the number of blocks removed ({variants}), each ≥ "
            f"{limits['min_validation_accuracy']:g}",
            passed=learned and _order(final_validation, -1),
        ),
        Claim(
            claim="deeper_effective_target_lower",
            statement="the effective target S[−3] of the deeper nets' learning component moves to, and ends at, "
            "lower frequency",
            measured=f"mean {summary} k0 of S[−3] at the last measured epoch: {_listed(last)}; relative drop from "
            f"epoch 0: {_listed(drop)}",
            threshold=f"the final {summary} k0 strictly rises with the number of blocks removed ({variants}), and "
            f"falls by ≥ {limits['min_drop']:g} during training in every variant",
            passed=moved and _order(last, +1),
        ),
    ]
