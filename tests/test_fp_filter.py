"""fp_filter: run list, the claim computations on synthetic error curves, one tiny real run."""

import numpy as np
import pandas as pd
from fprinciple import runner
from fprinciple.experiments import fp_filter

CFG = {
    "seeds": [0, 1],
    "datasets": [
        {"data": {"dataset": "digits", "n_train": 60, "n_test": 20, "subset_seed": 0}, "deltas": [0.5, 2.0]},
        {"data": {"dataset": "cifar_standin", "n_train": 40, "n_test": 20}, "deltas": [50.0]},
    ],
    "nets": {
        "dnn": {
            "model": {"kind": "dnn", "hidden": [32]},
            "optimizer": {"name": "sgd", "lr": 0.1, "batch_size": 20},
            "epochs": 2,
        },
        "cnn": {
            "model": {"kind": "cnn", "channels": [4, 8], "dense": 16},
            "optimizer": {"name": "adam", "lr": 1e-3, "batch_size": 20},
            "epochs": 2,
        },
    },
    "log_every": 1,
    "memory_budget_mb": 64,
    "claims": {"threshold": 0.3, "min_gap": 0.1},
}


def test_runs_cover_dataset_net_seed():
    runs = fp_filter.runs(CFG)
    assert len(runs) == 2 * 2 * 2
    assert {(v["dataset"], v["net"], v["seed"]) for v in runs.values()} == {
        (d, n, s) for d in ("digits", "cifar_standin") for n in ("dnn", "cnn") for s in (0, 1)
    }
    assert fp_filter.datasets(CFG) == ["digits", "cifar_standin"]


def synthetic(low_rate: float, high_rate: float) -> pd.DataFrame:
    """Exponentially decaying e_low, e_high (rate per epoch), one run, two δ, 10 epochs."""
    rows = [("r", 0, 0, "steps_per_epoch", np.nan, 1.0)]
    for epoch in range(11):
        for delta in (1.0, 2.0):
            rows.append(("r", 0, epoch, "e_low", delta, np.exp(-low_rate * epoch)))
            rows.append(("r", 0, epoch, "e_high", delta, np.exp(-high_rate * epoch)))
    frame = pd.DataFrame(rows, columns=["run", "seed", "step", "metric", "key", "value"])
    return frame.assign(dataset="digits", net="dnn")


def test_first_below_and_claims_pass_when_low_is_faster():
    table = fp_filter.first_below(synthetic(0.5, 0.2), 0.3)
    # exp(-0.5 t) < 0.3 first at t = 3; exp(-0.2 t) < 0.3 first at t = 7
    assert table["e_low"].tolist() == [3.0, 3.0] and table["e_high"].tolist() == [7.0, 7.0]
    assert all(claim.passed for claim in fp_filter.claims(synthetic(0.5, 0.2), CFG))


def test_claims_fail_when_high_is_faster_or_nothing_fits():
    assert not any(claim.passed for claim in fp_filter.claims(synthetic(0.2, 0.5), CFG))
    never = fp_filter.claims(synthetic(0.01, 0.01), CFG)[0]
    assert not never.passed and "-inf" in never.measured


def test_tiny_end_to_end_run(tmp_path):
    run = "dataset-digits_net-dnn_seed-0"
    metrics = runner.execute("fp_filter", run, CFG, tmp_path, device="cpu", progress=False)
    low = metrics[metrics["metric"] == "e_low"]
    assert sorted(low["key"].unique()) == [0.5, 2.0] and low["step"].nunique() == 3
    assert (metrics["dataset_name"] == "scikit-learn digits 8×8 (offline stand-in for MNIST)").all()
    # a uniform softmax at init fits the mean only: e_high starts at (about) 1, e_low below it
    first = metrics[metrics["step"] == 0]
    assert first[first["metric"] == "e_high"]["value"].min() > 0.9
    assert (first[first["metric"] == "e_low"]["value"] < first[first["metric"] == "e_high"]["value"].to_numpy()).all()


def test_figure_draws_a_panel_per_dataset_and_net():
    from fprinciple.figures import get

    metrics = synthetic(0.5, 0.2).assign(dataset_name="digits caption")
    cfg = {**CFG, "datasets": CFG["datasets"][:1], "nets": {"dnn": CFG["nets"]["dnn"]}}
    fig = get("fp_filter")(metrics, {**cfg, "datasets": [{**cfg["datasets"][0], "deltas": [1.0, 2.0]}]})
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 2 * 2 + 1
