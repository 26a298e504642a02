"""basri_asymptotics: the growth exponent g(d) of 1/c_{d,k} on S^d, its claims (held against the
perturbed learner instead of frozen/mean controls) and its figure."""

import math

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims as claims_table
from fprinciple.experiments import basri_asymptotics as experiment
from fprinciple.experiments.basri_asymptotics import claims as analysis
from fprinciple.experiments.basri_asymptotics import run as computation
from fprinciple.experiments.basri_asymptotics.figure import figure as draw
from fprinciple.figures import style
from fprinciple.io import METRIC_COLUMNS
from fprinciple.learners import PERTURBED, TRAINED
from fprinciple.runner import metrics_frame
from fprinciple.theory.basri import asymptotic_coefficients, growth_exponent
from fprinciple.training import RunContext, TrainResult

from .conftest import load_config

CTX = RunContext(device=torch.device("cpu"), progress=False)
CLAIMS = {"r2_min": 0.999, "slope_min": 0.9, "slope_max": 1.05, "small_d_max": 10, "small_d_tol": 0.1}


@pytest.fixture
def tiny() -> dict:
    """The authors' k range, coarsely sampled, and 7 dimensions d = 2, 10, ..., 50."""
    return {
        "seeds": [0],
        "dims": {"min": 2, "max": 50, "step": 8},
        "degrees": {"min": 800, "max": 1000, "step": 50},
        "dps": 15,
        "curve_dims": [2, 50],
        "claims": dict(CLAIMS),
    }


def metrics_of(result: TrainResult, learner: str | None = TRAINED) -> pd.DataFrame:
    """The run's metrics table, of one learner (None: all of them)."""
    metrics = metrics_frame("basri_asymptotics", "seed-0", {"seed": 0}, result.records)
    return metrics if learner is None else metrics[metrics["learner"] == learner]


def synthetic(d, g) -> pd.DataFrame:
    records = pd.DataFrame({"step": 0, "metric": experiment.GROWTH, "key": np.asarray(d, float), "value": g})
    return metrics_frame("basri_asymptotics", "seed-0", {"seed": 0}, records)


def table_of(metrics: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    return claims_table.evaluate(
        analysis.claims, metrics, cfg, experiment="basri_asymptotics", scale="test", dataset="-"
    )


def test_run_is_fast_and_returns_a_train_result(tiny):
    result = computation.run(tiny, {"seed": 0}, CTX)
    assert isinstance(result, TrainResult)
    assert (result.steps, result.stopped_by, result.resumed_from) == (0, "computed", 0)
    assert math.isnan(result.steps_per_s)
    assert 0 < result.wall_s < 2.0
    assert list(result.records.columns) == ["step", "metric", "key", "value", "learner"]
    assert set(result.records["learner"]) == {TRAINED, PERTURBED}
    assert list(metrics_of(result).columns) == [*METRIC_COLUMNS, "learner"]


def test_metrics_content(tiny):
    metrics = metrics_of(computation.run(tiny, {"seed": 0}, CTX))
    assert (metrics["step"] == 0).all()
    assert set(metrics["metric"]) == {
        "growth_exponent",
        "growth_intercept",
        "log_inverse_coefficient_d2",
        "log_inverse_coefficient_d50",
    }
    g = analysis.exponents(metrics)
    np.testing.assert_array_equal(g.index, [2, 10, 18, 26, 34, 42, 50])
    ks = np.arange(800, 1001, 50)
    # The sphere S^d lives in R^(d+1): the theory module's ambient dimension is d + 1.
    assert g[2] == pytest.approx(growth_exponent(3, ks), abs=1e-9)
    assert g[50] == pytest.approx(growth_exponent(51, ks), abs=1e-9)
    # 1/c ~ k^(d+1) on S^d, slightly below at finite k, as the large-k law says.
    assert g[2] == pytest.approx(3, abs=0.01)
    np.testing.assert_allclose(g.to_numpy(), analysis.finite_k_exponent(g.index.to_numpy(), ks), atol=0.01)
    assert (g.to_numpy() < g.index.to_numpy() + 1).all()
    curve = metrics[metrics["metric"] == "log_inverse_coefficient_d50"].sort_values("key")
    np.testing.assert_array_equal(curve["key"], ks)
    exact = [float(-mp.log(c)) for c in asymptotic_coefficients(51, ks)]
    np.testing.assert_allclose(curve["value"], exact, rtol=1e-13)
    slope, intercept = np.polyfit(np.log(ks), curve["value"], 1)
    intercepts = metrics[metrics["metric"] == "growth_intercept"].set_index("key")["value"]
    assert (slope, intercept) == pytest.approx((g[50], intercepts[50]))


def test_precision_does_not_change_the_exponents(tiny):
    low = analysis.exponents(metrics_of(computation.run(tiny, {"seed": 0}, CTX)))
    high = analysis.exponents(metrics_of(computation.run({**tiny, "dps": 60}, {"seed": 0}, CTX)))
    np.testing.assert_allclose(low, high, atol=1e-12)


def test_curve_dims_must_be_computed(tiny):
    with pytest.raises(ValueError, match="curve_dims"):
        computation.run({**tiny, "curve_dims": [3]}, {"seed": 0}, CTX)


def test_claims_pass_on_the_exact_exponents(tiny):
    metrics = metrics_of(computation.run(tiny, {"seed": 0}, CTX))
    claims = analysis.claims(metrics, tiny)
    assert [c.claim for c in claims] == ["growth_exponent_linear_in_d", "exponent_is_input_dimension"]
    assert all(c.passed for c in claims), [c.measured for c in claims]
    assert "0.999" in claims[0].threshold and "[0.9, 1.05]" in claims[0].threshold
    assert "0.1" in claims[1].threshold and "d ≤ 10" in claims[1].threshold


def test_perturbed_learner_has_d_independent_exponents(tiny):
    """The control: the smallest d's coefficients reused at every d, so g is the same at every d."""
    perturbed = analysis.exponents(metrics_of(computation.run(tiny, {"seed": 0}, CTX), PERTURBED))
    exact = analysis.exponents(metrics_of(computation.run(tiny, {"seed": 0}, CTX)))
    np.testing.assert_array_equal(perturbed.index, exact.index)
    np.testing.assert_allclose(perturbed.to_numpy(), exact.iloc[0])


def test_claims_table_passes_on_the_theory_and_fails_on_the_perturbed_learner(tiny):
    table = table_of(metrics_of(computation.run(tiny, {"seed": 0}, CTX), learner=None), tiny)
    assert table["passed"].all()
    assert table["control_perturbed"].eq(False).all()
    assert not {"control_frozen", "control_mean"} & set(table.columns)  # no network: no such controls
    assert all("perturbed" in note and "no frozen or mean" in note for note in table["note"])
    assert "no line (constant)" in table["control_perturbed_measured"].iloc[0]  # a constant g(d) is no line


def test_a_constant_exponent_is_no_line_whatever_the_round_off():
    """R² of a constant is 0/0: the fit says so instead of printing round-off noise."""
    d = np.arange(2, 51, 4)
    flat = np.full(len(d), 2.998)
    for noisy in (flat, flat + 1e-13 * np.sin(d)):
        assert np.isnan(analysis.linear_fit(d, noisy)[2])
    assert analysis.linear_fit(d, d + 1.0)[2] == pytest.approx(1.0)


def test_claims_fail_on_nonlinear_or_wrong_growth(tiny):
    d = np.arange(2, 51, 4)
    quadratic = analysis.claims(synthetic(d, 3 + 0.04 * d**2), tiny)
    assert not quadratic[0].passed  # R² ≈ 0.94
    steep = analysis.claims(synthetic(d, 2.0 * d), tiny)
    assert not steep[0].passed and not steep[1].passed  # perfectly linear, but slope 2 and g(2) = 4
    exact = analysis.claims(synthetic(d, d + 1.0), tiny)
    assert exact[0].passed and exact[1].passed
    too_few = analysis.claims(synthetic([20, 30], [21.0, 31.0]), tiny)
    assert not too_few[0].passed and not too_few[1].passed  # < 3 dimensions; none with d ≤ 10
    shifted = analysis.claims(synthetic(d, d + 0.0), tiny)  # off by one dimension: linear, slope 1
    assert shifted[0].passed and not shifted[1].passed
    flat = analysis.claims(synthetic(d, np.full(len(d), 3.0)), tiny)  # d-independent: the perturbed learner
    assert not flat[0].passed and not flat[1].passed


@pytest.mark.parametrize("name", ["config.yaml", "paper.yaml"])
def test_shipped_configs_pass_their_claims(name):
    cfg = load_config(name)["experiments"].get("basri_asymptotics")
    if cfg is None:
        pytest.skip(f"config/{name} has no basri_asymptotics block")
    table = table_of(metrics_of(computation.run(cfg, {"seed": cfg["seeds"][0]}, CTX), learner=None), cfg)
    assert table["passed"].all(), list(table["measured"])


def test_figure_draws(tiny, tmp_path):
    metrics = metrics_of(computation.run(tiny, {"seed": 0}, CTX))
    fig = draw(metrics, tiny)
    png, pdf = tmp_path / "basri_asymptotics.png", tmp_path / "basri_asymptotics.pdf"
    style.save(fig, str(png), str(pdf))
    assert png.stat().st_size > 10_000 and pdf.stat().st_size > 5_000
