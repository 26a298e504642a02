"""fp_image: the photograph target, the mean-free band errors, the outside-in control, the
claims on synthetic e_low / e_high histories (passing, and failing on controls and weak cases),
one tiny end-to-end run."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims as claims_table
from fprinciple.experiments import fp_image
from fprinciple.figures import fp_image as figure
from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.runner import execute

STEPS = (0, 10, 20, 30, 40, 50)


@pytest.fixture
def cfg() -> dict:
    return {
        "seeds": [0, 1], "image": {"size": 16},
        "model": {"hidden": [16, 16], "activation": "relu", "init_std": 1.0, "bias": True},
        "optimizer": {"name": "adam", "lr": 1e-2}, "steps": 20, "log_every": 5,
        "snapshot_steps": [5, 20], "cutoffs": [0.2, 0.4], "claims": {"threshold": 0.5, "early_margin": 0.3, "window": 2},
    }


def errors_table(low: list[float], high: list[float]) -> pd.DataFrame:
    """Metrics of one seed whose e_low / e_high follow the given histories (over STEPS) at every cutoff."""
    rows = []
    for cutoff in (0.1, 0.2):
        for step, lo, hi in zip(STEPS, low, high):
            rows += [(step, "e_low", cutoff, lo), (step, "e_high", cutoff, hi)]
    frame = pd.DataFrame(rows, columns=["step", "metric", "key", "value"])
    return frame.assign(run="seed-0", seed=0, learner=TRAINED)


CLAIM_CFG = {"cutoffs": [0.1, 0.2], "snapshot_steps": [10, 50], "claims": {"threshold": 0.5, "early_margin": 0.3, "window": 2}}


def verdicts(low, high) -> list[bool]:
    return [c.passed for c in fp_image.claims(errors_table(low, high), CLAIM_CFG)]


def test_runs_one_job_for_every_seed(cfg):
    assert fp_image.runs(cfg) == {"seeds-0-1": {"seeds": [0, 1]}}  # one job, each seed in turn
    assert "16×16" in fp_image.dataset(cfg)


def test_image_and_coordinates():
    target = fp_image.image({"image": {"size": 16}})
    assert target.shape == (16, 16) and 0 <= target.min() < target.max() <= 1
    assert fp_image.image({"image": {"size": 512}}).shape == (512, 512)
    xy = fp_image.coordinates((2, 3))  # row-major: x runs across a row first
    np.testing.assert_allclose(xy, [[-1, -1], [0, -1], [1, -1], [-1, 1], [0, 1], [1, 1]])


def test_band_errors_leave_the_mean_out():
    target = fp_image.image({"image": {"size": 16}})
    assert fp_image.band_errors(target, np.full_like(target, target.mean()), 0.2) == pytest.approx((1.0, 1.0))
    assert fp_image.band_errors(target, target + 0.3, 0.2) == pytest.approx((0.0, 0.0), abs=1e-12)  # an offset is no error


def test_outside_in_control_reveals_high_frequencies_first():
    target = fp_image.image({"image": {"size": 16}})
    control = fp_image.OutsideIn(target, reveal_steps=40)
    inputs = torch.as_tensor(fp_image.coordinates(target.shape), dtype=torch.float32)
    errors = np.array([fp_image.band_errors(target, control.at(step)(inputs)[:, 0].double().numpy().reshape(16, 16), 0.2)
                       for step in range(0, 41, 2)])
    assert np.allclose(errors[0], 1.0, atol=0.05)  # only the outermost corner modes at step 0
    low_at, high_at = (np.argmax(errors[:, i] < 0.5) for i in (0, 1))
    assert high_at < low_at  # the fine detail first
    np.testing.assert_allclose(control.at(40)(inputs)[:, 0].numpy(), target.ravel(), atol=1e-6)  # then the photograph
    subset = inputs[[5, 77, 200]]  # a minibatch maps to its own pixels
    np.testing.assert_allclose(control(subset)[:, 0].numpy(), target.ravel()[[5, 77, 200]], atol=1e-6)


def test_claims_pass_when_low_falls_first_and_high_follows():
    good = fp_image.claims(errors_table([1.0, 0.3, 0.1, 0.05, 0.05, 0.05], [1.0, 0.9, 0.6, 0.4, 0.3, 0.3]), CLAIM_CFG)
    assert [c.passed for c in good] == [True, True]
    assert "e_low at 10" in good[0].measured and "e_high at 30" in good[0].measured


@pytest.mark.parametrize(
    "low,high,expected",
    [
        pytest.param([1.0, 0.3, 0.1, 0.05, 0.05, 0.05], [1.0, 0.9, 0.8, 0.7, 0.7, 0.7], [False, True], id="high never falls"),
        pytest.param([1.0, 0.3, 0.1, 0.05, 0.05, 0.05], [1.0, 0.4, 0.2, 0.1, 0.1, 0.1], [False, False], id="together"),
        pytest.param([1.0] * 6, [1.0] * 6, [False, False], id="mean predictor (mean left out)"),
        pytest.param([1.1, 1.1, 1.1, 1.1, 1.1, 1.1], [1.02] * 6, [False, False], id="frozen-like"),
        pytest.param([1.0, 1.0, 0.9, 0.4, 0.1, 0.0], [1.0, 0.7, 0.4, 0.2, 0.1, 0.0], [False, False], id="opposite: high first"),
        pytest.param([1.0, 0.4, 0.9, 0.9, 0.3, 0.2], [1.0, 0.9, 0.6, 0.4, 0.3, 0.3], [False, True], id="transient dip of e_low"),
        pytest.param([1.0, 0.6, 0.1, 0.05, 0.05, 0.05], [1.0, 0.95, 0.6, 0.4, 0.3, 0.3], [True, False], id="not yet blurred at the snapshot"),
    ],
)
def test_claims_fail(low, high, expected):
    assert verdicts(low, high) == expected


def test_tiny_run_end_to_end(cfg, tmp_path):
    cfg["seeds"] = [0]
    metrics = execute("fp_image", "seeds-0", cfg, tmp_path, threads=1, progress=False)
    assert set(metrics["learner"]) == {TRAINED, FROZEN, MEAN, fp_image.OPPOSITE}
    metrics = metrics[metrics["learner"] == TRAINED]
    target = metrics[metrics["metric"] == "target"]
    assert len(target) == 256 and target["step"].eq(0).all()
    assert sorted(metrics[metrics["metric"] == "output"]["step"].unique()) == [5, 20]
    low = metrics[metrics["metric"] == "e_low"]
    assert sorted(low["key"].unique()) == [0.2, 0.4] and sorted(low["step"].unique()) == [0, 5, 10, 15, 20]
    # the logged output at the last step reproduces the logged errors
    output = metrics[(metrics["metric"] == "output") & (metrics["step"] == 20)].sort_values("key")["value"]
    e = fp_image.band_errors(target.sort_values("key")["value"].to_numpy().reshape(16, 16),
                             output.to_numpy().reshape(16, 16), 0.2)
    logged = metrics[(metrics["step"] == 20) & (metrics["key"] == 0.2)].set_index("metric")["value"]
    assert e == pytest.approx((logged["e_low"], logged["e_high"]))
    figure.figure(metrics, cfg).savefig(tmp_path / "fig.png")


def test_claims_table_holds_the_claims_against_every_control(cfg, tmp_path):
    cfg["seeds"], cfg["steps"] = [0], 10
    metrics = execute("fp_image", "seeds-0", cfg, tmp_path, threads=1, progress=False)
    table = claims_table.evaluate(fp_image.claims, metrics, cfg, experiment="fp_image", scale="smoke", dataset="x")
    assert list(table["claim"]) == ["coarse_before_fine", "early_output_is_blurred"]
    for control in ("frozen", "mean", "opposite"):
        assert not table[f"control_{control}"].any()
