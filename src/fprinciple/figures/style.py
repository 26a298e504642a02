"""The one look of every figure: target red, network output blue, ΔF heat maps red = fitted; under
every figure its claims' verdicts, read from the claims table's rows."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D

from ..claims import NOT_EVIDENCE, SUITE
from ..claims_table import OUTCOME_COLORS, outcome, status_label
from ..io import atomic_path

TARGET = "#d62728"
OUTPUT = "#1f77b4"
# The papers' heat maps: red where the relative error is small, blue where it is large.
DELTA_F_CMAP = "RdBu"
VERDICT_FONT = "small"


def use() -> None:
    sns.set_theme(context="paper", style="ticks", font_scale=1.0)
    plt.rcParams.update({"figure.dpi": 150, "savefig.bbox": "tight", "axes.titlesize": "medium"})


def output_shades(n: int) -> list:
    """Blues from light (early) to dark (late) for successive snapshots of the output."""
    return sns.color_palette("Blues", n + 1)[1:]


def delta_f_heatmap(ax, steps: np.ndarray, peaks: np.ndarray, delta: np.ndarray, colorbar: bool = True):
    """ΔF over (peak, step), as in XZLXM19 (fig. 3; lecture notes figs. 1.6 and 1.10): rows are peak frequencies."""
    image = ax.pcolormesh(steps, np.arange(len(peaks)), delta.T, cmap=DELTA_F_CMAP, vmin=0, vmax=1, shading="nearest")
    ax.set_yticks(np.arange(len(peaks)), [f"k={int(k)}" for k in peaks])
    ax.set_xlabel("step")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="ΔF (relative error)")
    return image


def verdict_text(row) -> str:
    """One claim row in words: its id, its status as the table words it, and its rate."""
    if pd.isna(row.judged):
        rate = row.replication  # across seeds or exact: no rate over seeds
    elif row.judged == 0:
        rate = "nothing judged"
    else:  # a claim over conditions judges one net per condition and seed
        rate = f"{row.held}/{row.judged} {'nets' if row.judged > row.seeds else 'seeds'}"
    return f"{row.claim}: {status_label(row)} · {rate}" + (
        " · the suite's own statistic" if row.source == SUITE else ""
    )


def claim_verdicts(fig, claims: pd.DataFrame) -> None:
    """Write under ``fig`` its experiment's claim rows (``results/<scale>/claims/<id>.parquet``),
    one entry per claim coloured by its outcome: the same rows as claims.md, so the figure and the
    table cannot disagree. Space is made by the figure's constrained layout."""
    if claims.empty:
        raise ValueError(
            "no claim rows to write on the figure: the experiment's claims table is empty "
            "(rule experiment_claims writes one row per claim of experiments/<id>.py)"
        )
    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        raise ValueError("the claim verdicts need room made by the layout: draw the figure with layout='constrained'")
    rows = list(claims.itertuples())
    labels = [verdict_text(row) for row in rows]
    colors = [OUTCOME_COLORS[outcome(row)][0] for row in rows]
    handles = [Line2D([], [], ls="", marker="s", ms=7, color=color) for color in colors]
    scales = sorted(set(claims["scale"]))
    caveats = [NOT_EVIDENCE[s] for s in scales if s in NOT_EVIDENCE]
    title = "; ".join([f"claims at the {', '.join(scales)} scale, as in claims.md", *caveats])
    # As many columns as fit the figure's width (a character is about half the font size wide).
    size = FontProperties(size=VERDICT_FONT).get_size_in_points()
    column_pt = (max(map(len, labels)) * 0.5 + 5) * size
    columns = max(1, min(len(labels), math.floor(fig.get_figwidth() * 72 / column_pt)))
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=columns,
        labelcolor=colors,
        title=title,
        fontsize=VERDICT_FONT,
        title_fontsize=VERDICT_FONT,
        frameon=False,
        handletextpad=0.3,
        alignment="left",
    )


def despine(fig) -> None:
    sns.despine(fig=fig)


def save(fig, png: str, pdf: str) -> None:
    """Write PNG and PDF atomically, then close the figure."""
    for path in (png, pdf):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.rsplit(".", 1)[-1])
    plt.close(fig)
