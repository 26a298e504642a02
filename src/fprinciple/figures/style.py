"""The one look of every figure: target red, network output blue, ΔF heat maps red = fitted."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402

from ..io import atomic_path  # noqa: E402

TARGET = "#d62728"
OUTPUT = "#1f77b4"
# The papers' heat maps: red where the relative error is small, blue where it is large.
DELTA_F_CMAP = "RdBu"


def use() -> None:
    sns.set_theme(context="paper", style="ticks", font_scale=1.0)
    plt.rcParams.update({"figure.dpi": 150, "savefig.bbox": "tight", "axes.titlesize": "medium"})


def output_shades(n: int) -> list:
    """Blues from light (early) to dark (late) for successive snapshots of the output."""
    return sns.color_palette("Blues", n + 1)[1:]


def delta_f_heatmap(ax, steps: np.ndarray, peaks: np.ndarray, delta: np.ndarray, colorbar: bool = True):
    """ΔF over (peak, step), as in seed 004 figs 1.6 and 1.10: rows are peak frequencies."""
    image = ax.pcolormesh(steps, np.arange(len(peaks)), delta.T, cmap=DELTA_F_CMAP, vmin=0, vmax=1, shading="nearest")
    ax.set_yticks(np.arange(len(peaks)), [f"k={int(k)}" for k in peaks])
    ax.set_xlabel("step")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="ΔF (relative error)")
    return image


def despine(fig) -> None:
    sns.despine(fig=fig)


def save(fig, png: str, pdf: str) -> None:
    """Write PNG and PDF atomically, then close the figure."""
    for path in (png, pdf):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.rsplit(".", 1)[-1])
    plt.close(fig)
