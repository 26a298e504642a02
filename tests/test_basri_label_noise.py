"""basri_label_noise: label corruption, the validation split, claims on synthetic curves, a tiny run."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple.training import RunContext
from fprinciple.experiments import basri_label_noise as noise
from fprinciple.engines.classify import load_data
from fprinciple.runner import execute
from fprinciple.figures import basri_label_noise as figure

CPU = RunContext(device=torch.device("cpu"), progress=False)


def test_noisy_labels_redraws_a_seeded_share_uniformly():
    y = np.arange(20000) % 10
    noisy = noise.noisy_labels(y, 0.5, 10, np.random.default_rng(0))
    assert noisy is not y and np.array_equal(y, np.arange(20000) % 10)  # the input is untouched
    assert noisy.min() >= 0 and noisy.max() <= 9
    # half redrawn, a tenth of those by chance to the true label: 45% wrong
    assert np.mean(noisy != y) == pytest.approx(0.45, abs=0.01)
    assert np.array_equal(noisy, noise.noisy_labels(y, 0.5, 10, np.random.default_rng(0)))
    assert np.array_equal(noise.noisy_labels(y, 0.0, 10, np.random.default_rng(0)), y)
    assert np.mean(noise.noisy_labels(y, 1.0, 10, np.random.default_rng(1)) == y) == pytest.approx(0.1, abs=0.01)


def test_noisy_split_holds_out_validation_and_keeps_test_clean():
    data = load_data({"dataset": "digits", "n_train": 400, "n_test": 100}, CPU)
    noisy, (x_val, y_val), clean = noise.noisy_split(data, 100, 0.5, seed=0)
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
    return pd.DataFrame(rows, columns=["run", "seed", "step", "metric", "value"]).assign(key=np.nan, dataset_name="digits")


CFG = {"noise": 0.5, "data": {"dataset": "digits"},
       "claims": {"peak_margin": 0.1, "early_stop_margin": 0.1, "train_accuracy_min": 0.9}}


def test_summary_and_claims_on_an_overfitting_curve():
    metrics = metrics_of(curve_rows("seed-0", [0.1, 0.5, 0.8, 1.0], [0.1, 0.5, 0.4, 0.3], [0.1, 0.85, 0.7, 0.6]))
    row = noise.summary(metrics).iloc[0]
    assert (row.peak_epoch, row.peak_test, row.stop_epoch, row.stop_test, row.final_test) == (1, 0.85, 1, 0.85, 0.6)
    assert all(c.passed for c in noise.claims(metrics, CFG))


def test_claims_fail_without_overfitting():
    metrics = metrics_of(curve_rows("seed-0", [0.1, 0.5, 0.55, 0.56], [0.1, 0.3, 0.5, 0.55], [0.1, 0.6, 0.8, 0.9]))
    assert not any(c.passed for c in noise.claims(metrics, CFG))


def test_tiny_run_through_runner(tmp_path):
    cfg = {
        "seeds": [0], "data": {"dataset": "digits", "n_train": 300, "n_test": 60, "subset_seed": 0},
        "n_val": 60, "noise": 0.5, "net": {"kind": "dnn", "hidden": [32], "activation": "relu"},
        "optimizer": {"name": "sgd", "lr": 0.1, "batch_size": 60}, "epochs": 3, "log_every": 1, "claims": CFG["claims"],
    }
    assert noise.datasets(cfg) == ["digits"] and list(noise.runs(cfg)) == ["seed-0"]
    metrics = execute("basri_label_noise", "seed-0", cfg, tmp_path, device="cpu", progress=False)
    table = noise.curves(metrics)
    assert list(table["epoch"]) == [0, 1, 2, 3]
    assert {"train", "validation", "test"} <= set(table.columns)
    assert metrics[metrics["metric"] == "steps_per_epoch"]["value"].item() == 4  # 240 samples / batch 60
    assert len(noise.claims(metrics, cfg)) == 3
    assert figure.figure(metrics, cfg).axes
