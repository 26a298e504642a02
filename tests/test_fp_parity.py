"""fp_parity: Boolean targets and their Walsh spectrum, the split, claims and a tiny run."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims
from fprinciple.experiments.fp_parity import claims as analysis
from fprinciple.experiments.fp_parity import figure
from fprinciple.experiments.fp_parity import run as fp_parity
from fprinciple.runner import execute
from fprinciple.targets.parity import (
    boolean_target,
    cube,
    degree_weights,
    majority,
    parity,
    walsh_coefficients,
)


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


def test_runs_and_training_draws():
    cfg = {"targets": ["parity", "majority"], "seeds": [0, 3]}
    assert fp_parity.runs(cfg) == {"seeds-0-3": {"seeds": [0, 3]}}
    draws = fp_parity.training_draws(200, 10, seed=1)
    assert len(draws) == 200 and draws.min() >= 0 and draws.max() < 1024
    assert len(np.unique(draws)) < 200  # with repeats, as the authors draw them
    assert np.array_equal(draws, fp_parity.training_draws(200, 10, seed=1))
    x = cube(10)
    assert np.array_equal(fp_parity.cube_index(torch.as_tensor(x[draws])).numpy(), draws)


def test_high_frequency_fill_fits_the_training_points_and_fills_with_the_parity():
    x = cube(6)
    y = majority(x)
    seen = np.array([0, 5, 17, 40])
    fill = fp_parity.high_frequency_fill(6, seen, y)
    out = fill(torch.as_tensor(x, dtype=torch.float32))[:, 0].numpy()
    assert np.array_equal(out[seen], y[seen])
    unseen = np.setdiff1d(np.arange(64), seen)
    assert np.array_equal(out[unseen], parity(x)[unseen])


def test_random_fill_fits_the_training_points_and_has_no_frequency_preference():
    """A coin flip on every unseen point: its mean Walsh degree is about d/2, far above the net's
    smooth fill, so the low-degree claim must fail on it; each seed draws its own coins."""
    d = 10
    x = cube(d)
    y = parity(x)
    seen = np.unique(fp_parity.training_draws(200, d, 0))
    inputs = torch.as_tensor(x, dtype=torch.float32)
    out = fp_parity.random_fill(d, seen, y, seed=0)(inputs)[:, 0].numpy()
    assert np.array_equal(out[seen], y[seen]) and set(np.unique(out)) == {-1.0, 1.0}
    assert analysis.mean_degree(degree_weights(out)) == pytest.approx(d / 2, abs=0.5)
    other = fp_parity.random_fill(d, seen, y, seed=1)(inputs)[:, 0].numpy()
    assert not np.array_equal(out, other)


def test_mean_degree_and_the_diagonal_spectrum():
    d = 6
    x = cube(d)
    assert analysis.mean_degree(degree_weights(parity(x))) == pytest.approx(d)
    assert analysis.mean_degree(degree_weights(x[:, 0])) == pytest.approx(1)
    assert np.isnan(analysis.mean_degree(degree_weights(np.ones(2**d))))  # a constant has no degree
    k = np.linspace(0, np.pi / 2, 7)
    # the authors' closed form on the whole cube: |FT of the parity| = |sin k|^d
    spectrum = fp_parity.diagonal_spectrum(parity(x), fp_parity.diagonal_phases(x, k))
    assert np.allclose(spectrum, np.abs(np.sin(k)) ** d)


def synthetic(parity_test, majority_test, parity_train=1.0, degree=3.0, unseen=840) -> pd.DataFrame:
    """Final metrics of parity and majority runs, one per seed; the output's Walsh weights put
    all energy at ``degree`` (and degree 1 for the majority)."""
    rows = []
    for target, tests, train, deg in (
        ("parity", parity_test, parity_train, degree),
        ("majority", majority_test, 1.0, 1),
    ):
        for seed, test in enumerate(tests):
            rows += [(target, seed, 0, "unseen_points", np.nan, unseen)]
            for step, (a, b) in ((0, (0.5, 0.5)), (100, (train, test))):
                rows += [
                    (target, seed, step, "train_accuracy", np.nan, a),
                    (target, seed, step, "test_accuracy", np.nan, b),
                ]
            rows += [(target, seed, 100, "output_walsh", k, float(k == deg)) for k in range(11)]
    return pd.DataFrame(rows, columns=["target", "seed", "step", "metric", "key", "value"]).assign(run="seeds-0-1-2")


CLAIMS = {"train_accuracy_min": 1.0, "chance_se": 3, "mean_degree_max": 5, "low_frequency_test_min": 0.9}
CFG = {"dim": 10, "n_train": 200, "claims": CLAIMS}


def verdicts(metrics: pd.DataFrame) -> dict[str, bool]:
    return {c.claim: c.passed for c in analysis.claims(metrics, CFG)}


def test_claims_pass_when_the_fill_is_smooth():
    assert all(verdicts(synthetic([0.43, 0.45, 0.47], [0.97, 0.99, 1.0])).values())


def test_claims_fail_on_learners_that_must_fail():
    # at chance: not generalised (the paper's claim), but not below chance (the suite's finding)
    at_chance = verdicts(synthetic([0.49, 0.50, 0.48], [1.0, 1.0, 1.0]))
    assert at_chance["parity_not_generalized"] and not at_chance["parity_below_chance"]
    # one seed well above chance (3 standard errors of a coin on 840 points: 0.552) fails that seed
    assert not verdicts(synthetic([0.43, 0.56, 0.47], [1.0, 1.0, 1.0]))["parity_not_generalized"]
    # the opposite fill: the training points fitted, the unseen ones filled with the parity itself
    opposite = verdicts(synthetic([1.0, 1.0, 1.0], [0.5, 0.51, 0.49], degree=10))
    assert not any(opposite.values())
    # frozen: low degree and near chance, but the training points are not fitted
    assert not any(verdicts(synthetic([0.45, 0.44, 0.46], [0.6, 0.6, 0.6], parity_train=0.55, degree=1)).values())


def test_claims_do_not_crash_on_a_constant_output():
    metrics = synthetic([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], parity_train=0.5)
    metrics.loc[metrics["metric"] == "output_walsh", "value"] = np.where(
        metrics.loc[metrics["metric"] == "output_walsh", "key"] == 0, 1.0, 0.0
    )
    assert not any(verdicts(metrics).values())


def test_tiny_run_through_runner(tmp_path):
    cfg = {
        "seeds": [0, 1],
        "ensemble": "auto",
        "targets": ["parity", "majority"],
        "dim": 5,
        "n_train": 20,
        "model": {"hidden": [32], "activation": "tanh", "init": "normal", "init_std": 0.05, "bias": True},
        "optimizer": {"name": "adam", "lr": 1e-2},
        "steps": 40,
        "log_every": 20,
        "spectrum": {"max": np.pi / 2, "n": 9},
        "claims": {**CLAIMS, "mean_degree_max": 2.5},
    }
    metrics = execute("fp_parity", "seeds-0-1", cfg, tmp_path, device="cpu", progress=False)
    assert set(metrics["learner"]) == {"trained", "frozen", "mean", "opposite", "random_fill"}
    one = metrics[(metrics["target"] == "parity") & (metrics["seed"] == 0) & (metrics["learner"] == "trained")]
    assert sorted(one[one["metric"] == "test_accuracy"]["step"]) == [0, 20, 40]
    target = one[one["metric"] == "target_walsh"].sort_values("key")
    assert np.allclose(target["value"], np.eye(6)[5])
    walsh = one[(one["metric"] == "output_walsh") & (one["step"] == 40)]
    assert len(walsh) == 6 and (walsh["value"] >= 0).all()
    diagonal = one[one["metric"] == "target_diagonal"].sort_values("key")
    assert np.allclose(diagonal["value"], np.abs(np.sin(diagonal["key"])) ** 5)
    opposite = analysis.final(metrics[metrics["learner"] == "opposite"])
    assert (opposite["train"] == 1).all() and np.allclose(opposite[opposite["target"] == "parity"]["test"], 1)
    table = claims.evaluate(analysis.claims, metrics, cfg, experiment="fp_parity", scale="smoke", dataset="cube")
    controls = ["control_frozen", "control_mean", "control_opposite", "control_random_fill"]
    assert len(table) == 4 and not table[controls].fillna(False).to_numpy().any()
    assert len(figure.figure(metrics[metrics["learner"] == "trained"], cfg).axes) == 6
