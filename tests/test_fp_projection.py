"""fp_projection: run list, the noise floor and peaks, the convergence order claim on synthetic
metrics (passing, and failing on the learners that must fail), one tiny real run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fprinciple import claims, runner
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
        "spectrum": {"noise_floor": 3, "centre_labels": True, "delta_form": "complex"},
        "claims": {"threshold": 0.3, "window": 3, "ties": False, **claims},
    }


def test_runs_cover_every_seed():
    assert fp_projection.runs(config()) == {"seeds-0-1": {"seeds": [0, 1]}}
    assert fp_projection.datasets(config()) == ["digits"]


def test_noise_floor_is_the_rms_of_unrelated_labels():
    labels = np.random.default_rng(0).integers(0, 10, 4000)
    # the rms |ŷ(k)| of centred one-hot labels in random order: sqrt(mean ||y_i − ȳ||² / n) ≈ sqrt(0.9 / n)
    assert fp_projection.noise_floor(labels, 1.0) == pytest.approx(np.sqrt(0.9 / 4000), rel=0.01)
    v = np.random.default_rng(1).normal(size=4000)
    y = np.eye(10)[labels]
    from fprinciple.spectral.projection import nudft

    magnitude = np.linalg.norm(nudft(y - y.mean(axis=0), v, np.linspace(2, 20, 200)), axis=1)
    assert np.sqrt(np.mean(magnitude**2)) == pytest.approx(fp_projection.noise_floor(labels, 1.0), rel=0.1)


def test_peaks_below_the_floor_are_dropped_and_cannot_hide_one_above():
    freqs = np.linspace(0, 1, 11)
    magnitude = np.array([0, 0.5, 0.2, 0.05, 0.04, 0.3, 0.1, 0.02, 0.03, 0.01, 0.0])
    assert np.allclose(fp_projection.target_peaks(freqs, magnitude, 0.08, 0.0), [0.1, 0.5])
    # a sub-floor maximum at 0.3 (0.05 vs neighbours) must not suppress the one at 0.5 via min_separation
    bumped = magnitude.copy()
    bumped[[3, 4]] = [0.06, 0.05]
    assert np.allclose(fp_projection.target_peaks(freqs, bumped, 0.08, 0.3), [0.1, 0.5])


def synthetic(epochs_by_seed: dict[int, list[float]], peaks=(0.1, 0.5, 1.0), per_epoch: int = 10) -> pd.DataFrame:
    """ΔF(k) falling linearly to 0 at twice the given epoch, i.e. below 0.5 from that epoch on."""
    rows = []
    for seed, converge in epochs_by_seed.items():
        run = f"seed-{seed}"
        rows += [(run, seed, 0, "steps_per_epoch", np.nan, per_epoch), (run, seed, 0, "noise_floor", np.nan, 0.05)]
        rows += [(run, seed, 0, "peaks", k, 0.2) for k in peaks]
        for epoch in range(21):
            for k, e in zip(peaks, converge):
                rows.append((run, seed, epoch * per_epoch, "delta_f", k, max(0.0, 1 - epoch / (2 * e))))
    frame = pd.DataFrame(rows, columns=["run", "seed", "step", "metric", "key", "value"])
    return frame.assign(family="mnist", dataset="digits stand-in")


def one_family(**claims) -> dict:
    cfg = config(threshold=0.5, **claims)
    return {**cfg, "families": {"mnist": cfg["families"]["mnist"]}}


def test_claim_passes_on_ordered_peaks():
    good = fp_projection.claims(synthetic({0: [2, 4, 6], 1: [1, 3, 9]}), one_family())
    assert [c.passed for c in good] == [True] and "digits stand-in" in good[0].statement and not good[0].note


def test_claim_fails_on_learners_that_must_fail():
    cfg = one_family()
    # the opposite order in one seed
    assert not fp_projection.claims(synthetic({0: [2, 4, 6], 1: [1, 6, 4]}), cfg)[0].passed
    # the even learner: every peak at the same epoch; ties pass only when allowed
    even = synthetic({0: [4, 4, 4]})
    assert not fp_projection.claims(even, cfg)[0].passed
    assert fp_projection.claims(even, one_family(ties=True))[0].passed
    # frozen or mean: ΔF stays at 1, nothing converges
    assert not fp_projection.claims(synthetic({0: [1e9, 1e9, 1e9]}), cfg)[0].passed
    # a peak that never converges
    assert not fp_projection.claims(synthetic({0: [2, 4, 60]}), cfg)[0].passed


def test_a_dip_shorter_than_the_window_is_not_convergence():
    dip = synthetic({0: [2, 4, 6]})
    # the middle peak dips below the threshold at epoch 1 only, before the lowest peak converges (epoch 2)
    dip.loc[(dip["metric"] == "delta_f") & (dip["key"] == 0.5) & (dip["step"] == 10), "value"] = 0.1
    assert not fp_projection.claims(dip, one_family(window=1))[0].passed
    assert fp_projection.claims(dip, one_family(window=3))[0].passed


def test_claim_with_fewer_than_two_peaks_is_untested_and_says_why():
    row = fp_projection.claims(synthetic({0: [2]}, peaks=(0.1,)), one_family())[0]
    assert row.passed is None and "only 1 peak(s)" in row.note and "noise floor" in row.note


def test_every_configured_family_gets_a_row_even_without_metrics():
    rows = fp_projection.claims(synthetic({0: [2, 4, 6]}), config(threshold=0.5))
    assert [r.claim for r in rows] == ["low_peaks_converge_first_mnist", "low_peaks_converge_first_cifar10"]
    assert [r.passed for r in rows] == [True, None] and "only 0 peak(s)" in rows[1].note


def test_no_peak_above_the_floor_is_reported_and_drawn():
    metrics = synthetic({0: []}, peaks=())
    assert "only 0 peak(s)" in fp_projection.claims(metrics, one_family())[0].note
    metrics = pd.concat([metrics, pd.DataFrame({"run": "seed-0", "seed": 0, "step": 0, "metric": "target_spectrum",
                                                "key": [0.0, 1.0], "value": [0.0, 0.01]})]).assign(family="mnist",
                                                                                                dataset="digits stand-in")
    assert len(figure(metrics, one_family()).axes) == 3


def test_tiny_run_end_to_end(tmp_path):
    cfg = config()
    cfg["families"] = {"mnist": cfg["families"]["mnist"]}
    cfg["seeds"] = [0]
    cfg["spectrum"]["noise_floor"] = 0.5  # 60 samples: a low floor keeps a few peaks to follow
    metrics = runner.execute("fp_projection", "seeds-0", cfg, tmp_path, progress=False)
    assert set(metrics["learner"]) == {"trained", "frozen", "mean", "even"}
    trained = metrics[metrics["learner"] == "trained"]
    assert trained["dataset"].iloc[0].startswith("scikit-learn digits") and set(trained["family"]) == {"mnist"}
    peaks = trained[trained["metric"] == "peaks"]
    floor = trained[trained["metric"] == "noise_floor"]["value"].item()
    assert len(peaks) >= 2 and (peaks["step"] == 0).all() and (peaks["value"] > floor).all()
    delta = trained[trained["metric"] == "delta_f"]
    assert sorted(delta["step"].unique()) == [0, 3, 6]  # every epoch of 60 samples in batches of 20
    # Before training the softmax is near uniform, i.e. near the centred target's zero: ΔF ≈ 1.
    assert delta[delta["step"] == 0]["value"].between(0.8, 1.2).all()
    spectrum = trained[trained["metric"] == "target_spectrum"]
    assert len(spectrum) == 101 and spectrum["value"].iloc[0] == pytest.approx(0, abs=1e-12)  # centred: no k = 0 term
    even = metrics[(metrics["learner"] == "even") & (metrics["metric"] == "delta_f")]
    assert np.allclose(even.groupby("step")["value"].std(), 0, atol=1e-6)  # every peak fitted at the same rate
    table = claims.evaluate(fp_projection.claims, metrics, cfg, experiment="fp_projection", scale="smoke", dataset="digits")
    assert len(table) == 1 and not table[["control_frozen", "control_mean", "control_even"]].to_numpy().any()
    assert len(figure(trained, cfg).axes) == 3 + 1  # and the heat map's colour bar
