"""fp_image: the photograph target, the band errors, the outside-in control, the claims on
synthetic band-error histories (passing, and failing on controls and weak cases), one tiny
end-to-end run."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims as claims_table
from fprinciple.claims import SUITE
from fprinciple.experiments import fp_image
from fprinciple.experiments.fp_image import claims as analysis
from fprinciple.experiments.fp_image import figure
from fprinciple.experiments.fp_image import run as run_side
from fprinciple.learners import FROZEN, MEAN, OPPOSITE, TRAINED
from fprinciple.runner import execute
from fprinciple.spectral.image import band_errors

STEPS = (0, 10, 20, 30, 40, 50)


@pytest.fixture
def cfg() -> dict:
    return {
        "seeds": [0, 1],
        "image": {"size": 16},
        "model": {"hidden": [16, 16], "activation": "relu", "init": "fan_in", "init_std": 1.0, "bias": True},
        "optimizer": {"name": "adam", "lr": 1e-2, "momentum": 0.0, "batch_size": None},
        "steps": 20,
        "log_every": 5,
        "snapshot_steps": [5, 20],
        "bands": [0.125, 0.25, 0.5],
        "claims": {"threshold": 0.5, "window": 2, "early_margin": 0.3, "final_error_max": 0.1},
    }


EDGES = [0.0625, 0.125, 0.25]
CLAIM_CFG = {
    "bands": EDGES,
    "snapshot_steps": [10, 50],
    "claims": {"threshold": 0.5, "window": 2, "early_margin": 0.3, "final_error_max": 0.1},
}


def errors_table(*bands: list[float], seed: int = 0) -> pd.DataFrame:
    """Metrics of one seed whose band errors follow the given histories (over STEPS), coarsest band first."""
    rows = [
        (step, "band_error", edge, history[i]) for edge, history in zip(EDGES, bands) for i, step in enumerate(STEPS)
    ]
    frame = pd.DataFrame(rows, columns=["step", "metric", "key", "value"])
    return frame.assign(run=f"seed-{seed}", seed=seed, learner=TRAINED)


def verdicts(*bands) -> list[bool]:
    return [c.passed for c in analysis.claims(errors_table(*bands), CLAIM_CFG)]


COARSE = [1.0, 0.2, 0.1, 0.05, 0.05, 0.05]  # fitted from step 10
MIDDLE = [1.0, 0.8, 0.4, 0.2, 0.1, 0.05]  # from step 20
FINE = [1.0, 0.9, 0.7, 0.4, 0.2, 0.08]  # from step 30, small at the end


def test_runs_one_job_for_every_seed(cfg):
    assert run_side.runs(cfg) == {"seeds-0-1": {"seeds": [0, 1]}}  # one job, each seed in turn
    assert "16×16" in fp_image.dataset(cfg)


def test_image_and_coordinates():
    target = run_side.image({"image": {"size": 16}})
    assert target.shape == (16, 16) and 0 <= target.min() < target.max() <= 1
    assert run_side.image({"image": {"size": 512}}).shape == (512, 512)
    xy = run_side.coordinates((2, 3))  # row-major: x runs across a row first
    np.testing.assert_allclose(xy, [[-1, -1], [0, -1], [1, -1], [-1, 1], [0, 1], [1, 1]])


def test_outside_in_control_reveals_high_frequencies_first():
    target = run_side.image({"image": {"size": 16}})
    control = run_side.OutsideIn(target, reveal_steps=40)
    inputs = torch.as_tensor(run_side.coordinates(target.shape), dtype=torch.float32)
    errors = np.array(
        [
            band_errors(target, control.at(step)(inputs)[:, 0].double().numpy().reshape(16, 16), [0.125, 0.25, 0.5])
            for step in range(0, 41, 2)
        ]
    )
    assert np.allclose(errors[0], 1.0, atol=0.05)  # only the outermost corner modes at step 0
    fitted_at = [np.argmax(errors[:, band] < 0.5) for band in range(3)]
    assert fitted_at[2] < fitted_at[1] < fitted_at[0]  # the fine detail first
    np.testing.assert_allclose(control.at(40)(inputs)[:, 0].numpy(), target.ravel(), atol=1e-6)  # then the photograph
    subset = inputs[[5, 77, 200]]  # a minibatch maps to its own pixels
    np.testing.assert_allclose(control(subset)[:, 0].numpy(), target.ravel()[[5, 77, 200]], atol=1e-6)


def test_claims_pass_when_the_bands_are_fitted_in_order_of_frequency():
    claims = analysis.claims(errors_table(COARSE, MIDDLE, FINE), CLAIM_CFG)
    assert [c.passed for c in claims] == [True, True, True]
    assert "seed 0: 10, 20, 30" in claims[0].measured and "0.080" in claims[1].measured
    assert {c.source for c in claims} == {SUITE}


@pytest.mark.parametrize(
    "bands,expected",
    [
        pytest.param((COARSE, MIDDLE, [1.0, 0.9, 0.8, 0.7, 0.6, 0.6]), [False, False, True], id="finest never fitted"),
        pytest.param(
            (COARSE, MIDDLE, [1.0, 0.9, 0.7, 0.4, 0.3, 0.3]), [True, False, True], id="finest fitted, not small"
        ),
        pytest.param((COARSE, COARSE, FINE), [False, False, True], id="two bands together"),
        pytest.param((COARSE, FINE, MIDDLE), [False, False, True], id="middle bands swapped"),
        pytest.param(([1.0] * 6,) * 3, [False, False, False], id="mean predictor (mean in no band)"),
        pytest.param(([1.1] * 6, [1.05] * 6, [1.02] * 6), [False, False, False], id="frozen-like"),
        pytest.param((FINE, MIDDLE, COARSE), [False, False, False], id="opposite: finest first"),
        pytest.param(
            ([1.0, 0.4, 0.9, 0.9, 0.3, 0.2], MIDDLE, FINE), [False, False, True], id="transient dip of the coarsest"
        ),
        pytest.param(
            ([1.0, 0.6, 0.1, 0.05, 0.05, 0.05], [1.0, 0.95, 0.6, 0.4, 0.1, 0.05], [1.0, 0.9, 0.8, 0.6, 0.3, 0.08]),
            [True, True, False],
            id="not yet blurred at the snapshot",
        ),
        pytest.param(
            ([1.0, 0.3, 0.1, 0.05, 0.05, 0.05], MIDDLE, [1.0, 0.5, 0.55, 0.4, 0.2, 0.08]),
            [True, True, False],
            id="finest barely worse at the snapshot",
        ),
    ],
)
def test_claims_fail(bands, expected):
    assert verdicts(*bands) == expected


def test_claims_judge_every_seed():
    metrics = pd.concat([errors_table(COARSE, MIDDLE, FINE, seed=0), errors_table(COARSE, COARSE, FINE, seed=1)])
    ordered = analysis.claims(metrics, CLAIM_CFG)[0]
    assert not ordered.passed and "seed 0: 10, 20, 30; seed 1: 10, 10, 30" in ordered.measured


def test_tiny_run_end_to_end(cfg, tmp_path):
    cfg["seeds"] = [0]
    metrics = execute("fp_image", "seeds-0", cfg, tmp_path, threads=1, progress=False)
    assert set(metrics["learner"]) == {TRAINED, FROZEN, MEAN, OPPOSITE}
    metrics = metrics[metrics["learner"] == TRAINED]
    target = metrics[metrics["metric"] == "target"]
    assert len(target) == 256 and target["step"].eq(0).all()
    assert sorted(metrics[metrics["metric"] == "output"]["step"].unique()) == [5, 20]
    errors = metrics[metrics["metric"] == "band_error"]
    assert sorted(errors["key"].unique()) == [0.125, 0.25, 0.5] and sorted(errors["step"].unique()) == [
        0,
        5,
        10,
        15,
        20,
    ]
    # the logged output at the last step reproduces the logged errors
    output = metrics[(metrics["metric"] == "output") & (metrics["step"] == 20)].sort_values("key")["value"]
    e = band_errors(
        target.sort_values("key")["value"].to_numpy().reshape(16, 16), output.to_numpy().reshape(16, 16), cfg["bands"]
    )
    logged = errors[errors["step"] == 20].sort_values("key")["value"].to_numpy()
    np.testing.assert_allclose(e, logged, rtol=1e-5)
    figure.figure(metrics, cfg).savefig(tmp_path / "fig.png")


def test_claims_table_holds_the_claims_against_every_control(cfg, tmp_path):
    cfg["seeds"], cfg["steps"] = [0], 10
    metrics = execute("fp_image", "seeds-0", cfg, tmp_path, threads=1, progress=False)
    table = claims_table.evaluate(analysis.claims, metrics, cfg, experiment="fp_image", scale="smoke", dataset="x")
    assert list(table["claim"]) == ["bands_in_order", "finest_band_fitted_last", "early_output_is_blurred"]
    for control in ("frozen", "mean", "opposite"):
        assert not table[f"control_{control}"].any()
