"""fp_filter: run list, the claims on synthetic error curves (passing, and failing on the
learners that must fail), one tiny real run with its controls."""

import numpy as np
import pandas as pd
import pytest

from fprinciple import claims, runner
from fprinciple.experiments import fp_filter
from fprinciple.experiments.fp_filter import claims as analysis
from fprinciple.experiments.fp_filter import run as training
from fprinciple.experiments.fp_filter.figure import figure

CFG = {
    "seeds": [0, 1],
    "datasets": [
        {"data": {"dataset": "digits", "n_train": 60, "n_test": 20, "subset_seed": 0}, "deltas": [0.5, 2.0]},
        {"data": {"dataset": "cifar_standin", "n_train": 40, "n_test": 20, "subset_seed": 0}, "deltas": [50.0]},
    ],
    "nets": {
        "dnn": {
            "model": {
                "kind": "dnn",
                "hidden": [32],
                "activation": "relu",
                "init_std": None,
                "bias": True,
                "init": "fan_in",
            },
            "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.0, "nesterov": False, "batch_size": 20},
            "epochs": 2,
        },
        "cnn": {
            "model": {"kind": "cnn", "channels": [4, 8], "dense": 16, "activation": "relu", "init": "pytorch"},
            "optimizer": {"name": "adam", "lr": 1e-3, "momentum": 0.0, "nesterov": False, "batch_size": 20},
            "epochs": 2,
        },
    },
    "log_every": 1,
    "memory_budget_mb": 64,
    "claims": {"threshold": 0.3},
}


def test_one_job_per_dataset_trains_every_seed():
    runs = training.runs(CFG)
    assert {v["dataset"]: v["seeds"] for v in runs.values()} == {"digits": [0, 1], "cifar_standin": [0, 1]}
    assert fp_filter.datasets(CFG) == ["digits", "cifar_standin"]


def synthetic(low, high, start_low: float = 0.9, epochs: int = 10) -> pd.DataFrame:
    """e_low = start_low·low(t), e_high = high(t) for one run and two δ (``low``, ``high``: the
    errors relative to epoch 0, functions of the epoch)."""
    rows = [("r", 0, 0, "steps_per_epoch", np.nan, 1.0)]
    for epoch in range(epochs + 1):
        for delta in (1.0, 2.0):
            rows.append(("r", 0, epoch, "e_low", delta, start_low * low(epoch)))
            rows.append(("r", 0, epoch, "e_high", delta, high(epoch)))
    frame = pd.DataFrame(rows, columns=["run", "seed", "step", "metric", "key", "value"])
    return frame.assign(dataset="digits", net="dnn")


def decay(rate: float):
    return lambda t: np.exp(-rate * t)


def passed(metrics: pd.DataFrame) -> list[bool]:
    return [c.passed for c in analysis.claims(metrics, CFG)]


def test_crossings_use_errors_relative_to_epoch_0():
    table = analysis.crossings(synthetic(decay(0.5), decay(0.2), start_low=0.5), 0.3)
    # exp(-0.5 t) < 0.3 first at t = 3; exp(-0.2 t) < 0.3 first at t = 7 (raw e_low < 0.3 already at t = 2)
    assert table["low"].tolist() == [3.0, 3.0] and table["high"].tolist() == [7.0, 7.0]
    assert table["start_low"].tolist() == [0.5, 0.5]


def test_claims_pass_when_the_low_part_is_fitted_faster():
    assert passed(synthetic(decay(0.5), decay(0.2))) == [True]


def test_claims_fail_on_learners_that_must_fail():
    assert passed(synthetic(decay(0.2), decay(0.5))) == [False]  # the opposite order
    assert passed(synthetic(lambda t: 1.0, lambda t: 1.0)) == [False]  # frozen or mean: nothing moves
    # the even learner: every frequency at the same rate; the raw head start (e_low(0) = 0.4 < e_high(0))
    # would let a raw reading pass it, the relative errors tie
    even = analysis.claims(synthetic(decay(0.3), decay(0.3), start_low=0.4), CFG)
    assert [c.passed for c in even] == [False] and "worst 0 epochs" in even[0].measured
    never = analysis.claims(synthetic(lambda t: 1 - 0.01 * t, lambda t: 1.0), CFG)[0]
    assert not never.passed and "-inf" in never.measured


def test_claims_do_not_crash_on_a_zero_starting_error():
    metrics = synthetic(lambda t: 0.0, lambda t: 1.0, start_low=0.0)
    assert passed(metrics) == [False]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    cfg = {**CFG, "seeds": [0], "nets": {"dnn": {**CFG["nets"]["dnn"], "epochs": 3}}}
    return cfg, runner.execute(
        "fp_filter", "dataset-digits_seeds-0", cfg, tmp_path_factory.mktemp("run"), device="cpu", progress=False
    )


def test_tiny_end_to_end_run_logs_every_learner(tiny_run):
    _, metrics = tiny_run
    assert set(metrics["learner"]) == {"trained", "frozen", "mean", "even"} and set(metrics["net"]) == {"dnn"}
    low = metrics[(metrics["metric"] == "e_low") & (metrics["learner"] == "trained")]
    assert sorted(low["key"].unique()) == [0.5, 2.0] and low["step"].nunique() == 4
    assert (metrics["dataset_name"] == "scikit-learn digits 8×8 (offline stand-in for MNIST)").all()
    errors = analysis.relative_errors(metrics[metrics["learner"] == "trained"])
    first = errors[errors["epoch"] == 0]
    # a near-uniform softmax at init fits the mean only: e_high starts at (about) 1, e_low below it
    assert first["e_high"].min() > 0.9 and (first["e_low"] < first["e_high"]).all()
    frozen = analysis.relative_errors(metrics[metrics["learner"] == "frozen"])
    assert np.allclose(frozen[["rel_low", "rel_high"]], 1.0)  # the initial net at every epoch
    even = analysis.relative_errors(metrics[metrics["learner"] == "even"])
    assert np.allclose(even["rel_low"], even["rel_high"]) and np.allclose(
        even.groupby("epoch")["rel_low"].mean(), [1, 2 / 3, 1 / 3, 0], atol=1e-6
    )


def test_tiny_run_claims_hold_against_the_controls(tiny_run):
    cfg, metrics = tiny_run
    table = claims.evaluate(analysis.claims, metrics, cfg, experiment="fp_filter", scale="smoke", dataset="digits")
    assert list(table["claim"]) == ["low_frequency_fitted_first"]
    assert not table[["control_frozen", "control_mean", "control_even"]].to_numpy().any()


def test_figure_draws_a_panel_per_dataset_and_net():
    metrics = synthetic(decay(0.5), decay(0.2)).assign(dataset_name="digits caption")
    cfg = {**CFG, "datasets": [{**CFG["datasets"][0], "deltas": [1.0, 2.0]}], "nets": {"dnn": CFG["nets"]["dnn"]}}
    fig = figure(metrics, cfg)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 2 * 2 + 1
    assert fig.axes[0].get_title() == "DNN"  # the claim's verdict is written from its row (figures.style)
