"""RDF panels of effective targets (XZ20's effective-target experiments), shared by dfp_resnet and dfp_layers:
one panel per measured epoch, one curve per group (variant or layer), mean over seeds, the
summary k0 (median or mean) of each curve marked on the axis."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.classify import with_epochs
from ..families.effective_target import curve_metric


def measured_epochs(metrics: pd.DataFrame, layer: int) -> list[float]:
    rows = with_epochs(metrics)
    return sorted(rows[rows["metric"] == curve_metric("rdf", layer)]["epoch"].unique())


def rdf_panel(
    ax, metrics: pd.DataFrame, epoch: float, curves: list[tuple[pd.DataFrame, int, str, object]], summary: str
) -> None:
    """``curves``: (rows of one group, layer label, legend label, colour)."""
    for rows, layer, label, color in curves:
        rows = with_epochs(rows)
        at = rows[rows["epoch"] == epoch]
        curve = at[at["metric"] == curve_metric("rdf", layer)].groupby("key")["value"].mean()
        ax.plot(curve.index, curve.to_numpy(), color=color, lw=1.4, label=label)
        marker = at[(at["metric"] == f"{summary}_k0") & (at["key"] == layer)]["value"].mean()
        if np.isfinite(marker):
            ax.plot([marker], [0], marker="^", color=color, ms=6, clip_on=False)
    ax.axhline(0, color="0.8", lw=0.6)
    ax.set(xscale="log", xlabel="k0 = 1/δ (RMS-normalised inputs)", title=f"epoch {epoch:g}")
