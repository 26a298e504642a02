"""fp_image, the analysis side: the step from which each radial frequency band's error stays below
the threshold, per seed; the bands must be fitted in order of frequency, the finest last and well, and
the first snapshot must be blurred."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import SUITE, Claim
from ...spectral.dft import convergence_steps


def band_name(edges, band: int) -> str:
    """A band as its radii in fractions of Nyquist, e.g. (0, 0.0625] for the first."""
    return f"({edges[band - 1] if band else 0:g}, {edges[band]:g}]"


def band_history(metrics: pd.DataFrame) -> pd.DataFrame:
    """Band errors, one row per (run, seed, logged step), one column per band in frequency order."""
    errors = metrics[metrics["metric"] == "band_error"]
    return errors.pivot_table(index=["run", "seed", "step"], columns="key", values="value").sort_index(axis=1)


def crossings(history: pd.DataFrame, threshold: float, window: int | None) -> pd.DataFrame:
    """Per (run, seed) and band of ``band_history``: the logged step from which the band's error
    stays below ``threshold`` for ``window`` consecutive logged steps (NaN: not within the run)."""
    rows = {
        run: convergence_steps(group.index.get_level_values("step").to_numpy(), group.to_numpy(), threshold, window)
        for run, group in history.groupby(level=["run", "seed"])
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=history.columns)


def in_order(steps: np.ndarray) -> bool:
    """Every band converged, each at a later logged step than the band below it."""
    return bool(np.isfinite(steps).all() and (np.diff(steps) > 0).all())


def _steps(steps: np.ndarray) -> str:
    return ", ".join("never" if np.isnan(v) else str(int(v)) for v in steps)


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits, edges = cfg["claims"], cfg["bands"]
    threshold, window, margin, final_max = (
        limits["threshold"],
        limits["window"],
        limits["early_margin"],
        limits["final_error_max"],
    )
    coarsest, finest = band_name(edges, 0), band_name(edges, len(edges) - 1)
    history = band_history(metrics)
    seeds = history.groupby(level=["run", "seed"])

    table = crossings(history, threshold, window)
    ordered = np.array([in_order(row) for row in table.to_numpy()])
    final = seeds.tail(1).iloc[:, -1].to_numpy()  # the finest band's error at each run's last logged step
    fitted_last = ordered & (final <= final_max)
    seed_ids = [seed for _, seed in table.index]

    first = min(cfg["snapshot_steps"])
    early = history[history.index.get_level_values("step") == first]
    blurred = (early.iloc[:, 0] < threshold) & (early.iloc[:, -1] - early.iloc[:, 0] >= margin)
    stays = f"below {threshold} for {window} consecutive logged steps"
    judged = len(table) > 0
    return [
        Claim(
            claim="bands_in_order",
            statement=(
                "the net captures the coarse image first and the finest detail last: the radial frequency bands "
                f"{', '.join(band_name(edges, b) for b in range(len(edges)))} (fractions of Nyquist) are fitted "
                "in order of frequency (the suite's measure of the paper's snapshots)"
            ),
            measured=(
                f"step from which each band's error stays {stays}, coarsest band first: "
                + "; ".join(f"seed {seed}: {_steps(row)}" for seed, row in zip(seed_ids, table.to_numpy()))
            ),
            threshold=(
                f"each band's relative error (mean excluded) {stays} from a later logged step than the band below "
                "it, every band within the run"
            ),
            passed=bool(ordered.all()) if judged else None,
            source=SUITE,
        ),
        Claim(
            claim="finest_band_fitted_last",
            statement=(
                f"the finest detail (band {finest} of Nyquist) arrives last and is fitted: the bands are fitted in "
                "order and the finest band's error is small at the end of training"
            ),
            measured=(
                f"in order in {int(ordered.sum())}/{len(ordered)} seeds; final error of band {finest}: "
                + ", ".join(f"seed {seed}: {value:.3f}" for seed, value in zip(seed_ids, final))
            ),
            threshold=f"bands_in_order holds and the error of band {finest} at the last logged step ≤ {final_max}",
            passed=bool(fitted_last.all()) if judged else None,
            source=SUITE,
        ),
        Claim(
            claim="early_output_is_blurred",
            statement=(
                f"at the first snapshot (step {first}) the output is a blurred image: the coarsest band is fitted, "
                "the finest is not"
            ),
            measured=(
                f"errors of bands {coarsest} and {finest}: "
                + ", ".join(
                    f"seed {seed}: {lo:.2f} and {hi:.2f}"
                    for (_, seed, _), lo, hi in zip(early.index, early.iloc[:, 0], early.iloc[:, -1])
                )
            )
            if len(early)
            else "no snapshot logged",
            threshold=f"at step {first}: error of band {coarsest} < {threshold}, and that of band {finest} larger by ≥ {margin}",
            passed=bool(blurred.all()) if len(early) else None,
            source=SUITE,
        ),
    ]
