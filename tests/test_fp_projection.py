"""fp_projection: run list, the convergence order claim on synthetic metrics, one tiny real run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fprinciple import runner
from fprinciple.experiments import fp_projection
from fprinciple.figures.fp_projection import figure


def config(**claims) -> dict:
    family = {
        "data": {"dataset": "digits", "n_train": 60, "n_test": 20, "subset_seed": 0},
        "net": {"kind": "dnn", "hidden": [16], "activation": "tanh"},
        "epochs": 2,
        "log_every": 1,
        "optimizer": {"name": "adam", "lr": 1e-3, "batch_size": 20},
        "freqs": {"max": 2.5, "n": 101},
        "min_separation": 0.3,
    }
    return {
        "seeds": [0, 1],
        "families": {"mnist": family, "cifar10": {**family, "data": {**family["data"], "dataset": "digits"}}},
        "spectrum": {"n_peaks": 3, "centre_labels": True, "delta_form": "complex"},
        "claims": {"threshold": 0.3, "convergence": "stays_below", "ties": False, "families": ["mnist"], **claims},
    }


def test_runs_cover_every_family_and_seed():
    runs = fp_projection.runs(config())
    assert sorted(runs) == sorted(f"family-{f}_seed-{s}" for f in ("mnist", "cifar10") for s in (0, 1))
    assert fp_projection.datasets(config()) == ["digits"]


def synthetic(epochs_by_peak: dict[str, list[float]], per_epoch: int = 10) -> pd.DataFrame:
    """ΔF(k) falling linearly to 0 at twice the given epoch, i.e. below 0.5 from that epoch on."""
    rows = []
    for run, converge in epochs_by_peak.items():
        seed = int(run[-1])
        rows.append((run, seed, 0, "steps_per_epoch", np.nan, per_epoch))
        for epoch in range(21):
            for k, e in zip((0.1, 0.5, 1.0), converge):
                rows.append((run, seed, epoch * per_epoch, "delta_f", k, max(0.0, 1 - epoch / (2 * e))))
    frame = pd.DataFrame(rows, columns=["run", "seed", "step", "metric", "key", "value"])
    return frame.assign(family="mnist", dataset="digits stand-in")


def test_claim_passes_on_ordered_peaks_and_fails_otherwise():
    cfg = config(threshold=0.5)
    good = fp_projection.claims(synthetic({"seed-0": [2, 4, 6], "seed-1": [1, 3, 9]}), cfg)
    assert [c.passed for c in good] == [True]
    assert "cifar10" in good[0].note and "digits stand-in" in good[0].statement
    # The highest peak converges before the middle one in one run.
    bad = fp_projection.claims(synthetic({"seed-0": [2, 4, 6], "seed-1": [1, 6, 4]}), cfg)
    assert [c.passed for c in bad] == [False]
    # Equal epochs: a tie fails the strict order and passes when ties are allowed.
    tied = synthetic({"seed-0": [2, 4, 4], "seed-1": [1, 3, 9]})
    assert not fp_projection.claims(tied, cfg)[0].passed
    assert fp_projection.claims(tied, {**cfg, "claims": {**cfg["claims"], "ties": True}})[0].passed
    # A peak that never converges fails.
    assert not fp_projection.claims(synthetic({"seed-0": [2, 4, 60]}), cfg)[0].passed


def test_tiny_run_end_to_end(tmp_path):
    cfg = config()
    cfg["families"] = {"mnist": cfg["families"]["mnist"]}
    cfg["seeds"] = [0]
    metrics = runner.execute("fp_projection", "family-mnist_seed-0", cfg, tmp_path, progress=False)
    assert metrics["dataset"].iloc[0].startswith("scikit-learn digits")
    peaks = metrics[metrics["metric"] == "peaks"]
    assert 1 <= len(peaks) <= 3 and (peaks["step"] == 0).all()
    delta = metrics[metrics["metric"] == "delta_f"]
    assert sorted(delta["step"].unique()) == [0, 3, 6]  # every epoch of 60 samples in batches of 20
    assert np.allclose(sorted(delta["key"].unique()), sorted(peaks["key"]))
    # Before training the softmax is near uniform, i.e. near the centred target's zero: ΔF ≈ 1.
    assert delta[delta["step"] == 0]["value"].between(0.8, 1.2).all()
    spectrum = metrics[metrics["metric"] == "target_spectrum"]
    assert len(spectrum) == 101 and spectrum["value"].iloc[0] == pytest.approx(0, abs=1e-12)  # centred: no k = 0 term
    assert len(fp_projection.claims(metrics, cfg)) == 1
    assert figure(metrics, cfg).axes
