"""fp_parity: Boolean targets and their Walsh spectrum, the split, claims and a tiny run."""


import numpy as np
import pandas as pd
import pytest

from fprinciple.experiments import fp_parity
from fprinciple.runner import execute
from fprinciple.figures import fp_parity as figure
from fprinciple.targets.parity import boolean_target, cube, degree_weights, majority, parity, walsh_coefficients


def test_cube_holds_every_point_once_in_bit_order():
    x = cube(4)
    assert x.shape == (16, 4) and len({tuple(r) for r in x}) == 16
    assert list(x[5]) == [-1, 1, -1, 1]  # 5 = 0b0101: bits 0 and 2 set → x_1 = x_3 = −1


def test_walsh_coefficients_match_the_definition():
    d = 4
    x = cube(d)
    f = np.random.default_rng(0).normal(size=2**d)
    brute = [np.mean(f * np.prod(x[:, [j for j in range(d) if mask >> j & 1]], axis=1)) for mask in range(2**d)]
    assert np.allclose(walsh_coefficients(f), brute)
    assert degree_weights(f).sum() == pytest.approx(np.mean(f**2))  # Parseval
    with pytest.raises(ValueError, match="2\\^d"):
        walsh_coefficients(np.ones(12))


def test_parity_is_the_single_top_degree_character():
    d = 6
    coefficients = walsh_coefficients(parity(cube(d)))
    assert coefficients[2**d - 1] == pytest.approx(1.0)
    assert np.allclose(np.delete(coefficients, 2**d - 1), 0)
    assert np.allclose(degree_weights(parity(cube(d))), np.eye(d + 1)[d])


@pytest.mark.parametrize("d", [5, 9, 10])
def test_majority_is_low_frequency(d):
    x = cube(d)
    y = majority(x)
    assert set(np.unique(y)) == {-1.0, 1.0}
    if d % 2:
        assert np.array_equal(y, np.sign(x.sum(axis=1)))
    weights = degree_weights(y)
    assert weights.sum() == pytest.approx(1.0)
    assert np.allclose(weights[::2], 0)  # odd function: odd degrees only, none at the parity's even d
    assert weights[1] >= 2 / np.pi  # most energy at degree 1 (→ 2/π as d → ∞)


def test_boolean_target_rejects_unknown_names():
    assert np.array_equal(boolean_target("parity", cube(3)), parity(cube(3)))
    with pytest.raises(ValueError, match="unknown Boolean target"):
        boolean_target("xor3", cube(3))


def test_runs_and_split():
    cfg = {"targets": ["parity", "majority"], "seeds": [0, 3]}
    assert list(fp_parity.runs(cfg)) == [
        "target-parity_seed-0", "target-parity_seed-3", "target-majority_seed-0", "target-majority_seed-3"
    ]
    train, test = fp_parity.split(1024, 0.7, seed=1)
    assert len(train) == 717 and len(test) == 307 and not set(train) & set(test)
    assert np.array_equal(train, fp_parity.split(1024, 0.7, seed=1)[0])


def synthetic(parity_test: float, majority_test: float, parity_train: float = 1.0) -> pd.DataFrame:
    rows = []
    for target, train, test in (("parity", parity_train, parity_test), ("majority", 1.0, majority_test)):
        for step, (a, b) in ((0, (0.5, 0.5)), (100, (train, test))):
            run = f"target-{target}_seed-0"
            rows += [(run, 0, step, "train_accuracy", a, target), (run, 0, step, "test_accuracy", b, target)]
    return pd.DataFrame(rows, columns=["run", "seed", "step", "metric", "value", "target"]).assign(key=np.nan)


CLAIMS = {"train_accuracy_min": 1.0, "chance_tolerance": 0.05, "low_frequency_test_min": 0.9}
CFG = {"dim": 10, "train_fraction": 0.5, "claims": CLAIMS}


def test_claims_pass_on_ideal_metrics_and_fail_on_bad_ones():
    assert all(c.passed for c in fp_parity.claims(synthetic(0.3, 0.97), CFG))
    failed = {c.claim for c in fp_parity.claims(synthetic(0.8, 0.7, parity_train=0.9), CFG) if not c.passed}
    assert failed == {"training_points_fitted", "parity_not_generalized", "low_frequency_generalized"}


def test_tiny_run_through_runner(tmp_path):
    cfg = {
        "seeds": [0], "targets": ["parity", "majority"], "dim": 5, "train_fraction": 0.5,
        "model": {"hidden": [32], "activation": "relu", "init_std": 1.0},
        "optimizer": {"name": "adam", "lr": 1e-2}, "steps": 40, "log_every": 20, "claims": CLAIMS,
    }
    frames = [execute("fp_parity", run, cfg, tmp_path / run, device="cpu", progress=False) for run in fp_parity.runs(cfg)]
    metrics = pd.concat(frames, ignore_index=True)
    one = metrics[metrics["run"] == "target-parity_seed-0"]
    assert sorted(one[one["metric"] == "test_accuracy"]["step"]) == [0, 20, 40]
    target = one[one["metric"] == "target_walsh"].sort_values("key")
    assert np.allclose(target["value"], np.eye(6)[5])
    walsh = one[(one["metric"] == "output_walsh") & (one["step"] == 40)]
    assert len(walsh) == 6 and (walsh["value"] >= 0).all()
    table = fp_parity.final_accuracies(metrics)
    assert set(table["target"]) == {"parity", "majority"} and table["test"].between(0, 1).all()
    assert len(fp_parity.claims(metrics, cfg)) == 3
    assert len(figure.figure(metrics, cfg).axes) == 4
