"""dfp_rdf_demo (XZ20): the RDF of sin(kπx) against its closed form on the circle, the claims on
the exact run (pass) and on the perturbed input and synthetic summaries (fail)."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import ive

from fprinciple.claims import evaluate
from fprinciple.experiments.dfp_rdf_demo import claims as demo_claims
from fprinciple.experiments.dfp_rdf_demo import figure
from fprinciple.experiments.dfp_rdf_demo import run as demo_run
from fprinciple.training import RunContext

CFG = {
    "seeds": [0],
    "points": 400,
    "frequencies": [1, 2, 4],
    "k0": {"min": 0.5, "max": 60.0, "n": 40},
    "delta_convention": "std",
    "normalisation": "none",
    "claims": {"min_peak_ratio": 1.25, "exponent_tolerance": 0.15},
}


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    return demo_run.run(CFG, {"seed": 0}, RunContext()).records.assign(seed=0, run="seed-0")


def test_lfr_is_the_closed_form_on_the_circle(metrics):
    # the interval [-1, 1) as a circle of radius 1/pi: smoothing multiplies sin(k theta) by
    # I_k(kappa) / I_0(kappa), kappa = (k0 / pi)^2
    trained = metrics[(metrics["learner"] == "trained") & (metrics["metric"] == "lfr")]
    for k, rows in trained.groupby("frequency"):
        kappa = (rows["key"].to_numpy() / np.pi) ** 2
        exact = (ive(k, kappa) / ive(0, kappa)) ** 2
        np.testing.assert_allclose(rows["value"], exact, atol=1e-10)


def test_claims_pass_on_the_sines_and_fail_on_the_perturbed_input(metrics):
    table = evaluate(demo_claims.claims, metrics, CFG, experiment="dfp_rdf_demo", scale="quick", dataset="none")
    assert list(table["claim"]) == ["rdf_peak_moves_up", "median_k0_proportional_to_k"]
    assert table["passed"].all()
    assert not table["control_perturbed"].any()
    assert "perturbed" in table["note"].iloc[0]


def summary_metrics(peaks, medians, ks=(1, 2, 4)) -> pd.DataFrame:
    rows = [(0, "peak_k0", np.nan, p, k) for k, p in zip(ks, peaks)]
    rows += [(0, "median_k0", np.nan, m, k) for k, m in zip(ks, medians)]
    return pd.DataFrame(rows, columns=["step", "metric", "key", "value", "frequency"]).assign(seed=0)


@pytest.mark.parametrize(
    "peaks,medians,expected",
    [
        ([3.0, 6.0, 12.0], [4.0, 8.0, 16.0], [True, True]),
        ([3.0, 3.3, 12.0], [4.0, 8.0, 16.0], [False, True]),  # a step below the ratio 1.25
        ([3.0, 6.0, 60.0], [4.0, 8.0, 16.0], [False, True]),  # a peak at the grid's top: undefined
        ([12.0, 6.0, 3.0], [16.0, 8.0, 4.0], [False, False]),  # the opposite order
        ([3.0, 6.0, 12.0], [4.0, 5.0, 6.0], [True, False]),  # medians grow too slowly (slope 0.29)
        ([3.0, 6.0, 12.0], [4.0, 16.0, 64.0], [True, False]),  # like k^2 in the std convention
        ([3.0, 6.0, 12.0], [4.0, np.nan, 16.0], [True, False]),  # a median outside the grid
    ],
)
def test_claims_on_synthetic_summaries(peaks, medians, expected):
    assert [c.passed for c in demo_claims.claims(summary_metrics(peaks, medians), CFG)] == expected


def test_variance_convention_expects_k_squared():
    cfg = {**CFG, "delta_convention": "variance", "k0": {"min": 0.25, "max": 3600.0, "n": 40}}
    assert [c.passed for c in demo_claims.claims(summary_metrics([3.0, 12.0, 48.0], [4.0, 16.0, 64.0]), cfg)] == [
        True,
        True,
    ]


def test_figure(metrics, tmp_path):
    figure.figure(metrics[metrics["learner"] == "trained"], CFG).savefig(tmp_path / "fig.png")
