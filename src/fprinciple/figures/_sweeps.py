"""Learning time vs frequency (BJKK19 figs. 2–4): one panel per net, mean ± std over seeds,
the authors' theoretical fit c/(lr·λ_k) where the theory applies, the log-log slope printed,
and frequencies that were never learned marked at the cap."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..engines.sweep import fit_ks, loglog_slope, summary, theory_fit
from . import style

THEORY = "#e69f00"


def panels(metrics: pd.DataFrame, cfg: dict, title: str, eigenvalues=None):
    style.use()
    stats = summary(metrics)
    nets = list(cfg["nets"])
    fig, axes = plt.subplots(1, len(nets), figsize=(4.2 * len(nets), 3.6), squeeze=False, layout="constrained")
    for ax, name in zip(axes[0], nets):
        net = cfg["nets"][name]
        s = stats[stats["net"] == name].sort_values("k")
        learned = s[s["learned"] > 0]
        never = s[s["learned"] == 0]
        ax.errorbar(learned["k"], learned["mean"], yerr=learned["std"].fillna(0), fmt="o", ms=4, capsize=2,
                    color=style.OUTPUT, label=f"measured (mean ± std, {int(s['seeds'].max())} seeds)")
        if len(never):
            ax.scatter(never["k"], np.full(len(never), net["cap"]), marker="x", color=style.TARGET, zorder=5,
                       label=f"not learned by the cap ({net['cap']})")
            ax.axhline(net["cap"], color=style.TARGET, lw=0.6, ls=":")
        no_bias = net.get("bias") is False
        fit = fit_ks(s, cfg["claims"]["k_min"], even_only=no_bias)
        k = fit["k"].to_numpy(float)
        if eigenvalues is not None and len(k) >= 2:
            ks = learned["k"].to_numpy()
            ks = ks[ks % 2 == 0] if no_bias else ks
            c, _ = theory_fit(k, fit["mean"].to_numpy(), eigenvalues(fit["k"].to_numpy(), net.get("bias", False)), cfg["lr"])
            ax.plot(ks, c / (cfg["lr"] * eigenvalues(ks, net.get("bias", False))), "o", mfc="none", ms=7, color=THEORY,
                    label="theory: c / (lr·λ_k), c fitted")
        if len(k) >= 2:
            slope = loglog_slope(k, fit["mean"].to_numpy())
            grid = np.linspace(k.min(), k.max(), 50)
            amplitude = np.exp(np.mean(np.log(fit["mean"]) - slope * np.log(k)))
            ax.plot(grid, amplitude * grid**slope, "-", color="grey", lw=1,
                    label=f"power fit k^{slope:.2f} (k ≥ {cfg['claims']['k_min']}{', even' if no_bias else ''})")
        ax.set(xlabel="frequency k", ylabel="iterations to loss < threshold", title=name.replace("_", " "))
        ax.set_ylim(bottom=0)
        ax.legend(fontsize="x-small", frameon=False, loc="center left" if len(never) else "upper left")
    fig.suptitle(title)
    style.despine(fig)
    return fig

