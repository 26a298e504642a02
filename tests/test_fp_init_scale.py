"""fp_init_scale: the high-frequency energy measure, the run list, claims on ideal and bad
metrics, and one tiny run of each part."""

import numpy as np
import pandas as pd
import pytest

from fprinciple import claims
from fprinciple.experiments import fp_init_scale as exp
from fprinciple.experiments.fp_init_scale import claims as analysis
from fprinciple.experiments.fp_init_scale import figure
from fprinciple.experiments.fp_init_scale import run as training
from fprinciple.runner import execute
from fprinciple.spectral.dft import uniform_grid


@pytest.fixture
def cfg() -> dict:
    return {
        "seeds": [0],
        "ensemble": "auto",
        "init_stds": [1, 8],
        "fit1d": {
            "grid": {"n": 6, "low": -np.pi, "high": np.pi, "endpoint": True},
            "target": {"kind": "sines", "frequencies": [1]},
            "model": {"hidden": [16, 16], "activation": "tanh", "bias": True},
            "optimizer": {"name": "adam", "lr": 1e-2, "momentum": 0.0},
            "steps": 30,
            "loss_threshold": 1e-3,
            "eval_points": 64,
            "max_freq": 10,
            "high_freq_min": 4,
        },
        "mnist": {
            "data": {"dataset": "digits", "n_train": 100, "n_test": 50, "subset_seed": 0},
            "net": {"kind": "dnn", "hidden": [16], "activation": "tanh", "bias": True, "init": "fan_in"},
            "optimizer": {"name": "adam", "lr": 1e-2, "momentum": 0.0, "nesterov": False, "batch_size": 50},
            "epochs": 2,
            "log_every": 1,
        },
        "claims": {"energy_ratio_min": 10, "test_error_margin": 0.05, "train_accuracy_min": 0.9},
    }


def test_high_frequency_fraction_is_exact_for_two_tones():
    x = uniform_grid(128, -np.pi, np.pi, endpoint=False)
    y = 3 * np.sin(2 * x) + np.cos(10 * x) + 5.0  # energies 9 (k=2) and 1 (k=10); the constant is ignored
    assert training.high_frequency_fraction(y, 5) == pytest.approx(0.1)
    assert training.high_frequency_fraction(y, 11) == pytest.approx(0.0, abs=1e-12)
    assert training.high_frequency_fraction(y, 1) == pytest.approx(1.0)
    assert np.isnan(training.high_frequency_fraction(np.full(128, 2.0), 5))  # a constant has no such energy


def test_runs_one_job_per_seed(cfg):
    cfg["seeds"] = [0, 1]
    assert training.runs(cfg) == {"seeds-0-1": {"seeds": [0, 1]}}  # one job trains both parts at every s, every seed
    assert exp.datasets(cfg) == ["digits"]
    assert "sin x" in exp.dataset(cfg) and "stand-in for MNIST" in exp.dataset(cfg)


def ideal(energy: dict, test_acc: dict, train_acc: float = 1.0, loss: float = 1e-6) -> pd.DataFrame:
    """Final metrics of two seeds (step 0 rows too, which the claims must ignore)."""
    rows = []
    for seed in (0, 1):
        run = f"seed-{seed}"
        for s, e in energy.items():
            rows += [
                (run, seed, "fit1d", s, 0, "high_freq_energy", 0.5),
                (run, seed, "fit1d", s, 0, "train_loss", 1.0),
                (run, seed, "fit1d", s, 90, "high_freq_energy", e),
                (run, seed, "fit1d", s, 90, "train_loss", loss),
            ]
        for s, a in test_acc.items():
            rows += [
                (run, seed, "mnist", s, 0, "test_accuracy", 0.1),
                (run, seed, "mnist", s, 0, "train_accuracy", 0.1),
                (run, seed, "mnist", s, 50, "test_accuracy", a),
                (run, seed, "mnist", s, 50, "train_accuracy", train_acc),
            ]
    return pd.DataFrame(rows, columns=["run", "seed", "part", "init_std", "step", "metric", "value"]).assign(key=np.nan)


CLAIM_CFG = {
    "init_stds": [1, 2, 4],
    "fit1d": {"high_freq_min": 5, "loss_threshold": 1e-5},
    "mnist": {"data": {"dataset": "digits"}},
    "claims": {"energy_ratio_min": 100, "test_error_margin": 0.05, "train_accuracy_min": 0.98},
}
ENERGY, ACCURACY = {1: 1e-5, 2: 1e-3, 4: 0.1}, {1: 0.95, 2: 0.94, 4: 0.8}


def passed(metrics: pd.DataFrame) -> list[bool]:
    return [c.passed for c in analysis.claims(metrics, CLAIM_CFG)]


def test_claims_pass_on_ideal_metrics():
    assert passed(ideal(ENERGY, ACCURACY)) == [True, True, True]


def test_claims_fail_on_bad_metrics():
    assert not passed(ideal({1: 1e-5, 2: 0.2, 4: 0.1}, ACCURACY))[0]  # not monotone
    assert not passed(ideal({1: 1e-2, 2: 2e-2, 4: 0.1}, ACCURACY))[0]  # too small a ratio
    assert not passed(ideal(ENERGY, {1: 0.95, 2: 0.94, 4: 0.93}))[1]  # no worse test error
    assert not passed(ideal(ENERGY, ACCURACY, train_acc=0.9))[2]
    assert not passed(ideal(ENERGY, ACCURACY, loss=1e-3))[2]


def test_claims_fail_on_learners_that_have_not_fitted():
    # frozen: at init a larger s already has more high-frequency energy, and a worse test error may be
    # chance, but nothing is fitted, so no claim about what fitting does may pass
    assert passed(ideal(ENERGY, ACCURACY, train_acc=0.1, loss=0.5)) == [False, False, False]
    # mean: a constant output (no high-frequency energy at all) and the same test error at every s
    assert passed(ideal({1: np.nan, 2: np.nan, 4: np.nan}, {1: 0.1, 2: 0.1, 4: 0.1}, train_acc=0.1, loss=0.5)) == [
        False,
        False,
        False,
    ]


def test_tiny_runs_end_to_end(cfg, tmp_path):
    metrics = execute("fp_init_scale", "seeds-0", cfg, tmp_path, threads=1, progress=False)
    assert set(metrics["learner"]) == {"trained", "frozen", "mean"}
    trained = metrics[metrics["learner"] == "trained"]
    fits = trained[trained["part"] == "fit1d"]
    assert set(fits["metric"]) == {"train_loss", "points", "target", "output", "spectrum", "high_freq_energy"}
    for _, run in fits.groupby("init_std"):  # the dense output at step 0 and at the last step only
        outputs = run[run["metric"] == "output"]
        assert sorted(outputs["step"].unique()) == [0, run["step"].max()] and len(outputs) == 2 * 64
    nets = trained[trained["part"] == "mnist"]
    assert {"train_accuracy", "test_accuracy"} <= set(nets["metric"])
    assert sorted(nets["init_std"].unique()) == [1.0, 8.0]
    table = claims.evaluate(analysis.claims, metrics, cfg, experiment="fp_init_scale", scale="smoke", dataset="d")
    assert list(table["claim"]) == [
        "larger_init_more_high_frequency",
        "larger_init_worse_test_error",
        "every_scale_fits_training_data",
    ]
    assert not table[["control_frozen", "control_mean"]].to_numpy().any()
    figure.figure(trained, cfg).savefig(tmp_path / "fig.png")
