"""basri_label_noise: label corruption, the validation split, claims on synthetic curves, a tiny run."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims
from fprinciple.engines.classify import load_data
from fprinciple.experiments import basri_label_noise as noise
from fprinciple.experiments.basri_label_noise import claims as analysis
from fprinciple.experiments.basri_label_noise import figure
from fprinciple.experiments.basri_label_noise import run as training
from fprinciple.runner import execute
from fprinciple.training import RunContext

CPU = RunContext(device=torch.device("cpu"), progress=False)


def test_noisy_labels_redraws_a_seeded_share_uniformly():
    y = np.arange(20000) % 10
    noisy = training.noisy_labels(y, 0.5, 10, np.random.default_rng(0))
    assert noisy is not y and np.array_equal(y, np.arange(20000) % 10)  # the input is untouched
    assert noisy.min() >= 0 and noisy.max() <= 9
    # half redrawn, a tenth of those by chance to the true label: 45% wrong
    assert np.mean(noisy != y) == pytest.approx(0.45, abs=0.01)
    assert np.array_equal(noisy, training.noisy_labels(y, 0.5, 10, np.random.default_rng(0)))
    assert np.array_equal(training.noisy_labels(y, 0.0, 10, np.random.default_rng(0)), y)
    assert np.mean(training.noisy_labels(y, 1.0, 10, np.random.default_rng(1)) == y) == pytest.approx(0.1, abs=0.01)


def test_noisy_split_holds_out_validation_and_keeps_test_clean():
    data = load_data({"dataset": "digits", "n_train": 400, "n_test": 100, "subset_seed": 0}, CPU)
    noisy, (x_val, y_val), clean = training.noisy_split(data, 100, 0.5, seed=0)
    assert len(noisy.y_train) == len(noisy.train.y) == len(noisy.x_train) == 300 and len(y_val) == 100
    assert np.array_equal(noisy.train.y, noisy.y_train.numpy())
    assert torch.equal(noisy.y_test, data.y_test) and torch.equal(noisy.x_test, data.x_test)
    # every sample lands in exactly one part: the held-out rows plus the kept rows are the training set
    rows = {tuple(r) for r in torch.cat([noisy.x_train, x_val]).numpy().round(4)}
    assert rows == {tuple(r) for r in data.x_train.numpy().round(4)}
    assert 0.45 < clean["train"] < 0.65 and 0.4 < clean["validation"] < 0.7


def curve_rows(run: str, train, validation, test) -> list:
    rows = [(run, 0, 0, "steps_per_epoch", 10.0)]
    for epoch, values in enumerate(zip(train, validation, test)):
        for split, value in zip(("train", "validation", "test"), values):
            rows.append((run, 0, 10 * epoch, f"{split}_accuracy", value))
    rows.append((run, 0, 0, "train_clean_label_share", 0.55))
    return rows


def metrics_of(rows: list) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["run", "seed", "step", "metric", "value"]).assign(
        key=np.nan, dataset_name="digits"
    )


CFG = {
    "noise": 0.5,
    "data": {"dataset": "digits"},
    "claims": {"peak_margin": 0.1, "early_fraction": 0.5, "early_stop_margin": 0.1, "train_accuracy_min": 0.9},
}
# an overfitting run: the clean structure first (test peaks at epoch 2), memorised from epoch 6
OVERFIT = (
    [0.1, 0.4, 0.5, 0.55, 0.6, 0.8, 0.95, 1.0],
    [0.1, 0.4, 0.5, 0.45, 0.4, 0.35, 0.3, 0.3],
    [0.1, 0.7, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6],
)


def verdicts(metrics: pd.DataFrame) -> dict[str, bool]:
    return {c.claim: c.passed for c in analysis.claims(metrics, CFG)}


def test_summary_and_claims_on_an_overfitting_curve():
    metrics = metrics_of(curve_rows("seed-0", *OVERFIT))
    row = analysis.summary(metrics, 0.9).iloc[0]
    assert (row.peak_epoch, row.peak_test, row.stop_epoch, row.stop_test, row.final_test) == (2, 0.85, 2, 0.85, 0.6)
    assert (row.memorised_epoch, row.clean_passed) == (6, 4)
    assert all(verdicts(metrics).values())


def test_claims_fail_without_overfitting():
    metrics = metrics_of(curve_rows("seed-0", [0.1, 0.5, 0.55, 0.56], [0.1, 0.3, 0.5, 0.55], [0.1, 0.6, 0.8, 0.9]))
    assert not any(verdicts(metrics).values())


def test_claims_fail_on_a_constant_learner():
    # frozen or mean: every accuracy constant, nothing memorised, no peak above the final value
    flat = [0.1] * 8
    assert not any(verdicts(metrics_of(curve_rows("seed-0", flat, flat, flat))).values())


def test_a_late_peak_is_not_early():
    train, validation, _ = OVERFIT
    # the same fall, but the test peak comes at epoch 4, after half of the 6 epochs the net needs to memorise
    late = metrics_of(curve_rows("seed-0", train, validation, [0.1, 0.6, 0.7, 0.75, 0.85, 0.7, 0.65, 0.6]))
    assert not verdicts(late)["test_accuracy_peaks_early"]


def test_authors_init_draws_their_scales_and_drops_the_output_bias():
    torch.manual_seed(0)
    from fprinciple.models import classifier

    net = classifier(
        "dnn", (1, 28, 28), 10, hidden=[256, 256, 256], activation="relu", init_std=None, bias=True, init="fan_in"
    )
    training.authors_init(net)
    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert all(abs(m.weight.std().item() - 0.01) < 0.001 for m in linears)
    assert all(m.bias.min() >= -1 and m.bias.max() <= 1 and m.bias.abs().mean() > 0.4 for m in linears[:-1])
    assert linears[-1].bias is None and net(torch.rand(3, 784)).shape == (3, 10)


def test_tiny_run_through_runner(tmp_path):
    cfg = {
        "seeds": [0],
        "data": {"dataset": "digits", "n_train": 300, "n_test": 60, "subset_seed": 0},
        "n_val": 60,
        "noise": 0.5,
        "net": {"kind": "dnn", "hidden": [32], "activation": "relu", "init_std": None, "bias": True, "init": "fan_in"},
        "authors_init": True,
        "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.0, "nesterov": False, "batch_size": 60},
        "epochs": 3,
        "log_every": 1,
        "claims": CFG["claims"],
    }
    assert noise.datasets(cfg) == ["digits"] and list(training.runs(cfg)) == ["seeds-0"]
    metrics = execute("basri_label_noise", "seeds-0", cfg, tmp_path, device="cpu", progress=False)
    trained = metrics[metrics["learner"] == "trained"]
    table = analysis.curves(trained)
    assert list(table["epoch"]) == [0, 1, 2, 3]
    assert {"train", "validation", "test"} <= set(table.columns)
    assert trained[trained["metric"] == "steps_per_epoch"]["value"].item() == 4  # 240 samples / batch 60
    assert set(metrics["learner"]) == {"trained", "frozen", "mean"}
    table = claims.evaluate(
        analysis.claims, metrics, cfg, experiment="basri_label_noise", scale="smoke", dataset="digits"
    )
    assert len(table) == 3 and not table[["control_frozen", "control_mean"]].to_numpy().any()
    assert figure.figure(metrics[metrics["learner"] == "trained"], cfg).axes
