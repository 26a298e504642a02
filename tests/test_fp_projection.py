"""fp_projection: run list, the per-class noise and the authors' peak rule, the convergence order
claim on synthetic metrics (passing, untested without two significant peaks, failing on the
learners that must fail), one tiny real run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims, runner
from fprinciple.experiments import fp_projection
from fprinciple.experiments.fp_projection import claims as analysis
from fprinciple.experiments.fp_projection import run as training
from fprinciple.experiments.fp_projection.figure import figure
from fprinciple.spectral.projection import grid_maxima, nudft


def config(**claims) -> dict:
    family = {
        "data": {"dataset": "digits", "n_train": 60, "n_test": 20, "subset_seed": 0},
        "net": {"kind": "dnn", "hidden": [16], "activation": "tanh", "init_std": None, "bias": True, "init": "fan_in"},
        "epochs": 2,
        "log_every": 1,
        "optimizer": {"name": "adam", "lr": 1e-3, "momentum": 0.0, "nesterov": False, "batch_size": 20},
        "freqs": {"max": 2.5, "n": 101},
        "classes": [3],
        "n_peaks": 3,
    }
    return {
        "seeds": [0, 1],
        "families": {"mnist": family, "cifar10": {**family, "data": {**family["data"], "dataset": "digits"}}},
        "spectrum": {"min_sigma": 3, "centre_labels": True, "delta_form": "complex"},
        "claims": {"threshold": 0.3, "window": 3, "ties": False, **claims},
    }


def test_runs_cover_every_seed():
    assert training.runs(config()) == {"seeds-0-1": {"seeds": [0, 1]}}
    assert fp_projection.datasets(config()) == ["digits"]


def test_class_noise_is_the_rms_of_one_unrelated_class_column():
    labels = np.random.default_rng(0).integers(0, 10, 4000)
    p = np.mean(labels == 3)
    assert training.class_noise(labels, [3])[0] == pytest.approx(np.sqrt(p * (1 - p) / 4000))
    # the rms |ŷ_3(k)| of the centred column over frequencies, v unrelated to the labels
    v = np.random.default_rng(1).normal(size=4000)
    column = (labels == 3) - p
    magnitude = np.abs(nudft(column, v, np.linspace(2, 20, 200)))
    assert np.sqrt(np.mean(magnitude**2)) == pytest.approx(training.class_noise(labels, [3])[0], rel=0.1)


def test_grid_maxima_follow_the_authors_rule_end_points_included():
    magnitude = np.array([0.9, 0.5, 0.7, 0.2, 0.3, 0.3, 0.1, 0.4])
    # k = 0 above its neighbour counts (an uncentred class share); a plateau is no strict maximum
    assert grid_maxima(magnitude).tolist() == [0, 2, 7]
    assert grid_maxima(magnitude[1:-1]).tolist() == [1]
    # a tone over whole periods: the highest maximum at its frequency, the sidelobes' maxima below it
    v = np.linspace(0, 10, 2001)
    freqs = np.linspace(0, 2, 81)
    magnitude = np.abs(nudft(np.cos(2 * np.pi * v), v, freqs))
    found = grid_maxima(magnitude)
    assert freqs[found[np.argmax(magnitude[found])]] == pytest.approx(1.0) and magnitude[found].max() == pytest.approx(
        0.5, rel=0.01
    )


def synthetic(
    epochs_by_seed: dict[int, list[float]], peaks=(0.1, 0.5, 1.0), sigma=(20, 8, 5), label=3, per_epoch: int = 10
) -> pd.DataFrame:
    """Class ``label``'s peaks of the given significance; ΔF(k) falling linearly to 0 at twice the
    given epoch, i.e. below 0.5 from that epoch on."""
    rows = []
    for seed, converge in epochs_by_seed.items():
        run = f"seed-{seed}"
        rows += [
            (run, seed, 0, "steps_per_epoch", np.nan, per_epoch, np.nan),
            (run, seed, 0, "noise", np.nan, 0.01, label),
        ]
        rows += [(run, seed, 0, "significance", k, z, label) for k, z in zip(peaks, sigma)]
        for epoch in range(21):
            for k, e in zip(peaks, converge):
                rows.append((run, seed, epoch * per_epoch, "delta_f", k, max(0.0, 1 - epoch / (2 * e)), label))
    frame = pd.DataFrame(rows, columns=["run", "seed", "step", "metric", "key", "value", "class"])
    return frame.assign(family="mnist", dataset="digits stand-in")


def one_family(**claims) -> dict:
    cfg = config(threshold=0.5, **claims)
    return {**cfg, "families": {"mnist": cfg["families"]["mnist"]}}


def test_claim_passes_on_ordered_peaks():
    good = analysis.claims(synthetic({0: [2, 4, 6], 1: [1, 3, 9]}), one_family())
    assert [c.passed for c in good] == [True] and "digits stand-in" in good[0].statement and not good[0].note


def test_claim_fails_on_learners_that_must_fail():
    cfg = one_family()
    # the opposite order in one seed
    assert not analysis.claims(synthetic({0: [2, 4, 6], 1: [1, 6, 4]}), cfg)[0].passed
    # the even learner: every peak at the same epoch; ties pass only when allowed
    even = synthetic({0: [4, 4, 4]})
    assert not analysis.claims(even, cfg)[0].passed
    assert analysis.claims(even, one_family(ties=True))[0].passed
    # frozen or mean: ΔF stays at 1, nothing converges
    assert not analysis.claims(synthetic({0: [1e9, 1e9, 1e9]}), cfg)[0].passed
    # a peak that never converges
    assert not analysis.claims(synthetic({0: [2, 4, 60]}), cfg)[0].passed


def test_a_dip_shorter_than_the_window_is_not_convergence():
    dip = synthetic({0: [2, 4, 6]})
    # the middle peak dips below the threshold at epoch 1 only, before the lowest peak converges (epoch 2)
    dip.loc[(dip["metric"] == "delta_f") & (dip["key"] == 0.5) & (dip["step"] == 10), "value"] = 0.1
    assert not analysis.claims(dip, one_family(window=1))[0].passed
    assert analysis.claims(dip, one_family(window=3))[0].passed


def test_claim_with_fewer_than_two_significant_peaks_is_untested_and_says_why():
    # three peaks, but only the first stands ≥ 3σ above the noise: sub-floor peaks are not tested
    row = analysis.claims(synthetic({0: [2, 1, 6]}, sigma=(20, 2.9, 1.5)), one_family())[0]
    assert row.passed is None and "1 peak(s) ≥ 3σ" in row.measured and "(2.9σ)" in row.measured
    assert "no order to test" in row.note
    # the same peaks with the floor off (the authors test every peak): the order is broken
    off = one_family()
    off["spectrum"] = {**off["spectrum"], "min_sigma": 0}
    assert analysis.claims(synthetic({0: [2, 1, 6]}, sigma=(20, 2.9, 1.5)), off)[0].passed is False


def test_a_sub_floor_peak_between_two_significant_ones_is_left_out():
    # the middle peak (2 σ) converges out of order; the two significant ones are in order
    assert analysis.claims(synthetic({0: [2, 1, 6]}, sigma=(20, 2, 5)), one_family())[0].passed


def test_every_configured_class_must_hold_in_a_seed():
    cfg = one_family()
    cfg["families"]["mnist"]["classes"] = [3, 5]
    two = pd.concat([synthetic({0: [2, 4, 6]}), synthetic({0: [2, 6, 4]}, label=5)])
    row = analysis.claims(two, cfg)[0]
    assert row.passed is False and "class 3" in row.measured and "class 5" in row.measured
    # a class without two significant peaks is reported but not judged
    two = pd.concat([synthetic({0: [2, 4, 6]}), synthetic({0: [2, 6, 4]}, sigma=(20, 1, 1), label=5)])
    assert analysis.claims(two, cfg)[0].passed


def test_the_source_says_whether_labels_are_centred():
    assert analysis.claims(synthetic({0: [2, 4, 6]}), one_family())[0].source == claims.SUITE
    authors = one_family()
    authors["spectrum"] = {**authors["spectrum"], "centre_labels": False}
    assert analysis.claims(synthetic({0: [2, 4, 6]}), authors)[0].source == claims.PAPER


def test_every_configured_family_gets_a_row_even_without_metrics():
    rows = analysis.claims(synthetic({0: [2, 4, 6]}), config(threshold=0.5))
    assert [r.claim for r in rows] == ["low_peaks_converge_first_mnist", "low_peaks_converge_first_cifar10"]
    assert [r.passed for r in rows] == [True, None] and "no order to test" in rows[1].note


def test_tiny_run_end_to_end(tmp_path):
    cfg = config()
    cfg["families"] = {"mnist": cfg["families"]["mnist"]}
    cfg["seeds"] = [0]
    cfg["spectrum"]["min_sigma"] = 0  # 60 samples: no floor, so the peaks are followed
    metrics = runner.execute("fp_projection", "seeds-0", cfg, tmp_path, progress=False)
    assert set(metrics["learner"]) == {"trained", "frozen", "mean", "even"}
    trained = metrics[metrics["learner"] == "trained"]
    assert trained["dataset"].iloc[0].startswith("scikit-learn digits") and set(trained["family"]) == {"mnist"}
    peaks = trained[trained["metric"] == "peaks"]
    noise = trained[trained["metric"] == "noise"]["value"].item()
    significance = trained[trained["metric"] == "significance"]
    assert len(peaks) == 3 and (peaks["step"] == 0).all() and (peaks["class"] == 3).all()
    assert np.allclose(significance["value"].to_numpy(), peaks["value"].to_numpy() / noise)
    delta = trained[trained["metric"] == "delta_f"]
    assert sorted(delta["step"].unique()) == [0, 3, 6]  # every epoch of 60 samples in batches of 20
    # Before training the softmax is near uniform, i.e. near the centred target's zero: ΔF ≈ 1.
    assert delta[delta["step"] == 0]["value"].between(0.8, 1.2).all()
    spectrum = trained[trained["metric"] == "target_spectrum"]
    assert len(spectrum) == 101 and spectrum["value"].iloc[0] == pytest.approx(0, abs=1e-12)  # centred: no k = 0 term
    assert (
        len(trained[trained["metric"] == "spectrum"]) == 101
        and (trained[trained["metric"] == "spectrum"]["step"] == 6).all()
    )
    even = metrics[(metrics["learner"] == "even") & (metrics["metric"] == "delta_f")]
    assert np.allclose(even.groupby("step")["value"].std(), 0, atol=1e-6)  # every peak fitted at the same rate
    table = claims.evaluate(analysis.claims, metrics, cfg, experiment="fp_projection", scale="smoke", dataset="digits")
    assert len(table) == 1 and not table[["control_frozen", "control_mean", "control_even"]].to_numpy().any()
    assert len(figure(trained, cfg).axes) == 3 + 1  # and the heat map's colour bar


def test_the_authors_subset_and_cnn_initialisation():
    """subset_seed null takes the first n (their Subset(range(n))); init xavier_uniform bounds every
    weight by sqrt(6 / (fan_in + fan_out)) (their nn.init.xavier_uniform_)."""
    from fprinciple import datasets
    from fprinciple.models import classifier

    whole = datasets.load("digits", n=None)
    first = datasets.load("digits", n=50, seed=None)
    assert np.array_equal(first.x, whole.x[:50]) and np.array_equal(first.y, whole.y[:50])
    assert not np.array_equal(datasets.load("digits", n=50, seed=0).y, whole.y[:50])
    net = classifier("cnn", (3, 32, 32), 10, channels=[4, 8], dense=16, activation="tanh", init="xavier_uniform")
    dense = [m for m in net.modules() if isinstance(m, torch.nn.Linear)][0]
    bound = np.sqrt(6 / (dense.in_features + dense.out_features))
    assert dense.weight.abs().max().item() <= bound and dense.weight.abs().max().item() > 0.9 * bound
    with pytest.raises(ValueError, match="unknown init"):
        classifier("cnn", (3, 32, 32), 10, channels=[4, 8], dense=16, activation="tanh", init="orthogonal")
