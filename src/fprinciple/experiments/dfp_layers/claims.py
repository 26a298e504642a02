"""dfp_layers, the analysis side: per seed, the summary k0 of S[1] … S[L] at each measured epoch
(seed by seed; the claims' rate over seeds decides): deeper layers sit lower once training has
settled, and the deeper the layer the further its k0 drops."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...analysis.classify import with_epochs
from ...claims import Claim
from . import hidden_layers


def frequencies(metrics: pd.DataFrame, summary: str) -> pd.DataFrame:
    """Per seed and measured epoch (rows) the summary k0 of each layer (columns)."""
    rows = with_epochs(metrics)
    rows = rows[rows["metric"] == f"{summary}_k0"]
    table = rows.pivot_table(index=["seed", "epoch"], columns="key", values="value", aggfunc="mean")
    table.columns = table.columns.astype(int)
    return table.sort_index()


def decreasing(values) -> bool:
    """Strictly decreasing and all finite (at least two values)."""
    values = np.asarray(values, dtype=float)
    return bool(values.size >= 2 and np.all(np.isfinite(values)) and np.all(np.diff(values) < 0))


def _listed(values) -> str:
    return ", ".join(f"{v:.3g}" for v in values)


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    summary = limits["summary"]
    layers = hidden_layers(cfg)
    table = frequencies(metrics, summary)
    settled_from = limits["settled_fraction"] * cfg["epochs"]
    order, move, notes_order, notes_move, gaps = [], [], [], [], []
    for seed, per_seed in table.groupby(level="seed"):
        per_seed = per_seed.droplevel("seed").reindex(columns=layers)
        first, last = per_seed.iloc[0], per_seed.iloc[-1]
        settled = per_seed[per_seed.index >= settled_from]
        order.append(len(settled) > 0 and all(decreasing(row) for _, row in settled.iterrows()))
        held = sum(decreasing(row) for _, row in settled.iterrows())
        # Effect size: the smallest step down from one layer to the next, relative to the
        # shallower layer's k0, at the judged epochs (negative where the order breaks).
        values = settled.to_numpy(dtype=float)
        gaps.extend((-np.diff(values, axis=1) / values[:, :-1]).min(axis=1))
        notes_order.append(
            f"seed {seed}: epoch {per_seed.index[0]:g}: {_listed(first)} → epoch {per_seed.index[-1]:g}: "
            f"{_listed(last)} (order holds at {held}/{len(settled)} epochs ≥ {settled_from:g})"
        )
        drop = 1 - (last / first).to_numpy(dtype=float)
        move.append(bool(np.all(np.isfinite(drop)) and np.all(np.diff(drop) > 0) and drop[-1] >= limits["min_drop"]))
        notes_move.append(f"seed {seed}: " + _listed(drop))
    return [
        Claim(
            claim="deeper_layers_lower_and_stay",
            statement="during training the deeper layers' effective targets reach lower frequency than the shallower "
            "layers' and stay there",
            measured=f"{summary} k0 of S[1] … S[{layers[-1]}]: " + "; ".join(notes_order),
            threshold=f"{summary} k0 strictly decreases with the layer at every measured epoch ≥ "
            f"{limits['settled_fraction']:g} × {cfg['epochs']} epochs",
            passed=all(order) if order else None,
            note=(
                f"effect size: the smallest adjacent-layer step of {summary} k0 at the judged epochs is "
                f"{np.min(gaps):+.1%} … {np.max(gaps):+.1%} of the shallower layer's (over seeds and judged epochs); a strict order "
                "with no margin, so fragile where the last layers are about 1 % apart"
            )
            if gaps
            else "",
        ),
        Claim(
            claim="deeper_layers_move_lower",
            statement="the deeper the layer, the further its effective target moves to lower frequency during training",
            measured=f"relative drop 1 − {summary} k0(end)/{summary} k0(epoch 0), layers 1 … {layers[-1]}: "
            + "; ".join(notes_move),
            threshold=f"the drop strictly increases with the layer and is ≥ {limits['min_drop']} in the deepest",
            passed=all(move) if move else None,
        ),
    ]
