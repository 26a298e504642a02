"""BJKK19 superposition and missing-data experiments: tiny runs, metrics, claims, figures."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims as claims_table
from fprinciple.experiments.basri_missing_data import claims as missing_claims
from fprinciple.experiments.basri_missing_data import figure as missing_figure
from fprinciple.experiments.basri_missing_data import run as missing
from fprinciple.experiments.basri_superposition import claims as superposition_claims
from fprinciple.experiments.basri_superposition import figure as superposition_figure
from fprinciple.experiments.basri_superposition import run as superposition
from fprinciple.figures import style
from fprinciple.learners import CONTROLS, TRAINED
from fprinciple.models import authors_relu_net
from fprinciple.runner import metrics_frame
from fprinciple.targets.sphere import sine, unit_norm
from fprinciple.training import RunContext

CPU = RunContext(device=torch.device("cpu"), progress=False)


def execute(module, name: str, cfg: dict, learner: str | None = TRAINED) -> pd.DataFrame:
    """Every run of the experiment, as the aggregated metrics table the workflow builds, of one
    learner (None: the trained net and its controls)."""
    frames = [
        metrics_frame(name, rid, variant, module.run(cfg, variant, CPU).records)
        for rid, variant in module.runs(cfg).items()
    ]
    metrics = pd.concat(frames, ignore_index=True)
    return metrics if learner is None else metrics[metrics["learner"] == learner]


def table_of(analysis, name: str, metrics: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    return claims_table.evaluate(analysis.claims, metrics, cfg, experiment=name, scale="test", dataset="-")


@pytest.fixture
def superposition_cfg() -> dict:
    return {
        "seeds": [0],
        "ensemble": "auto",
        "points": 64,
        "frequencies": [1, 4],
        "model": {"hidden": [32, 32]},
        "lr": 2e-2,
        "steps": 120,
        "loss_threshold": 1e-4,
        "log_every": 10,
        "snapshot_steps": [0, 50],
        "claims": {"fraction": 0.9, "ratio_min": 2.0, "final_error_max": 0.15},
    }


@pytest.fixture
def missing_cfg() -> dict:
    return {
        "seeds": [0],
        "ensemble": "auto",
        "hidden_bias": ["zeros", "normal"],
        "points": 16,
        "gap_half_width": 5 * np.pi / 12,
        "frequency": 2,
        "model": {"hidden": [64]},
        "lr": 1e-3,
        "steps": 60,
        "relative_loss_threshold": 1e-6,
        "log_every": 20,
        "grid_points": 128,
        "snapshot_steps": [0, 20],
        "claims": {"relative_loss_max": 1e-2, "max_freq": 8, "bending_ratio_max": 0.25, "copy_correlation_min": 0.9},
    }


def test_authors_net_init():
    torch.manual_seed(0)
    net = authors_relu_net(2, [4000])
    hidden, readout = net[0], net[-1]
    assert torch.all(hidden.bias == 0) and readout.bias is None
    assert hidden.weight.std().item() == pytest.approx(1 / np.sqrt(3 * 2), rel=0.05)  # kaiming a = √5
    assert readout.weight.std().item() == pytest.approx(1 / np.sqrt(3 * 4000), rel=0.05)
    biased = authors_relu_net(2, [4000], "normal")[0].bias
    assert biased.std().item() == pytest.approx(1 / np.sqrt(3 * 2), rel=0.05)
    with pytest.raises(ValueError, match="bias init"):
        authors_relu_net(2, [8], "uniform")


def test_superposition_run_logs_coefficients_and_final_output(superposition_cfg):
    metrics = execute(superposition, "basri_superposition", superposition_cfg)
    last = int(metrics["step"].max())
    assert last == 120  # the step cap: the loss threshold is out of reach in 120 steps
    target = metrics[metrics["metric"] == "target_coefficient"]
    assert sorted(target["key"]) == [1, 4] and np.allclose(target["value"], 1 / np.sqrt(2))  # orthogonal, unit norm
    coefficient = metrics[metrics["metric"] == "coefficient"]
    assert sorted(coefficient["step"].unique()) == list(range(0, 121, 10))
    assert (coefficient.groupby("step")["key"].count() == 2).all()
    outputs = metrics[metrics["metric"] == "output"]
    assert sorted(outputs["step"].unique()) == [0, 50, last]
    assert (outputs.groupby("step")["key"].count() == 64).all()
    # the logged coefficient is the projection of the logged output at the same step
    theta, f = outputs[outputs["step"] == last].sort_values("key")[["key", "value"]].to_numpy().T
    u4 = unit_norm(sine(theta, 4))
    at_last = coefficient[(coefficient["step"] == last) & (coefficient["key"] == 4)]["value"].item()
    assert at_last == pytest.approx(u4 @ f, abs=1e-6)


def test_superposition_final_output_not_duplicated_at_a_snapshot(superposition_cfg):
    superposition_cfg.update(steps=50)
    metrics = execute(superposition, "basri_superposition", superposition_cfg)
    outputs = metrics[metrics["metric"] == "output"]
    assert (outputs.groupby("step")["key"].count() == 64).all()
    assert sorted(outputs["step"].unique()) == [0, 50]


def synthetic_coefficients(t_low: float, t_high: float, last: int = 1000) -> pd.DataFrame:
    """Metrics whose k=4 and k=14 coefficients rise linearly to the target's at t_low, t_high."""
    steps = np.arange(0, last + 1, 10)
    rows = [(0, "target_coefficient", k, 0.7) for k in (4, 14)]
    for k, t in ((4, t_low), (14, t_high)):
        rows += [(s, "coefficient", k, 0.7 * min(1.0, s / t)) for s in steps]
    theta = np.linspace(-np.pi, np.pi, 32, endpoint=False)
    y = unit_norm(sine(theta, 4) + sine(theta, 14))
    rows += [(0, "target", a, v) for a, v in zip(theta, y)] + [(last, "output", a, v) for a, v in zip(theta, y)]
    frame = pd.DataFrame(rows, columns=["step", "metric", "key", "value"])
    return frame.assign(run="seed-0", seed=0)


def test_superposition_claim_passes_only_when_low_frequency_comes_first():
    cfg = {"frequencies": [4, 14], "claims": {"fraction": 0.9, "ratio_min": 5.0, "final_error_max": 0.15}}
    order, fit = superposition_claims.claims(synthetic_coefficients(50, 800), cfg)
    assert order.passed and fit.passed
    assert "t(k=4) = 50" in order.measured and "5.0·t(k=4)" in order.threshold
    assert not superposition_claims.claims(synthetic_coefficients(800, 50), cfg)[0].passed  # high first
    assert not superposition_claims.claims(synthetic_coefficients(100, 300), cfg)[0].passed  # too close
    # sin 14θ never fitted within 1000 steps: passes only if the run outlasted ratio_min × t(k=4)
    assert superposition_claims.claims(synthetic_coefficients(100, 1e9), cfg)[0].passed
    assert not superposition_claims.claims(synthetic_coefficients(300, 1e9), cfg)[0].passed
    assert not superposition_claims.claims(synthetic_coefficients(1e9, 1e9), cfg)[0].passed  # nothing fitted


def test_superposition_fitted_step_ignores_a_transient_crossing():
    """A component that rises above the line, falls back and only later stays there is fitted at
    the later step."""
    metrics = synthetic_coefficients(50, 800)
    dip = (metrics["metric"] == "coefficient") & (metrics["key"] == 4) & metrics["step"].between(100, 190)
    metrics.loc[dip, "value"] = 0.1
    fitted = superposition_claims.fitted_steps(metrics, 0.9).set_index("k")["fitted_at"]
    assert fitted[4] == 200 and fitted[14] == 730


def test_superposition_claims_fail_on_the_controls(superposition_cfg):
    """Through the claims table: the frozen net and the mean predictor fit neither component."""
    superposition_cfg.update(frequencies=[1, 3], steps=400, lr=5e-2)
    table = table_of(
        superposition_claims,
        "basri_superposition",
        execute(superposition, "basri_superposition", superposition_cfg, learner=None),
        superposition_cfg,
    )
    for control in CONTROLS:
        assert not table[f"control_{control}"].any(), table[f"control_{control}_measured"].tolist()
    assert "not fitted" in table.set_index("claim").loc["low_component_fitted_first", "control_frozen_measured"]


def test_missing_data_run_logs_dense_output_per_bias_init(missing_cfg):
    metrics = execute(missing, "basri_missing_data", missing_cfg)
    assert set(metrics["hidden_bias"]) == {"zeros", "normal"}
    assert set(metrics["run"]) == {"hidden_bias-zeros_seeds-0", "hidden_bias-normal_seeds-0"}
    for _, run in metrics.groupby("run"):
        target = run[run["metric"] == "target"]
        assert len(target) == 16 and (np.abs(target["key"]) >= 5 * np.pi / 12 - 1e-12).all()
        assert np.allclose(target["value"], np.sin(2 * target["key"]))
        outputs = run[run["metric"] == "output"]
        assert sorted(outputs["step"].unique()) == [0, 20, 60]
        assert (outputs.groupby("step")["key"].count() == 128).all()
        loss = run[run["metric"] == "train_loss"].sort_values("step")["value"].to_numpy()
        assert loss[-1] < loss[0]
    table = missing_claims.gap_measures(metrics, missing_cfg)
    assert list(table["hidden_bias"]) == ["normal", "zeros"]
    assert [c.claim for c in missing_claims.claims(metrics, missing_cfg)] == [
        "training_points_fitted",
        "gap_filled_smoothly",
        "bias_free_net_copies_target",
    ]


def synthetic_fill(fill, bias: str, loss: float = 1e-4) -> pd.DataFrame:
    """One run whose final output is sin 6θ outside the gap and `fill(θ)` inside it."""
    w = 5 * np.pi / 12
    grid = np.linspace(-np.pi, np.pi, 1000, endpoint=False)
    f = np.where(np.abs(grid) < w, fill(grid), np.sin(6 * grid))
    train = np.linspace(w, np.pi, 8)
    rows = (
        [(0, "target", a, np.sin(6 * a)) for a in train]
        + [(0, "train_loss", np.nan, 4.0), (500, "train_loss", np.nan, loss)]
        + [(500, "output", a, v) for a, v in zip(grid, f)]
    )
    frame = pd.DataFrame(rows, columns=["step", "metric", "key", "value"])
    return frame.assign(run=f"hidden_bias-{bias}_seed-0", seed=0, hidden_bias=bias)


def test_missing_data_smoothness_claims_tell_a_smooth_fill_from_a_copy():
    cfg = {
        "gap_half_width": 5 * np.pi / 12,
        "frequency": 6,
        "claims": {"relative_loss_max": 1e-2, "max_freq": 24, "bending_ratio_max": 0.25, "copy_correlation_min": 0.9},
    }
    smooth = synthetic_fill(lambda t: np.sin(1.2 * t), "normal")  # joins sin 6θ smoothly at ±5π/12
    copy = synthetic_fill(lambda t: 0.95 * np.sin(6 * t), "zeros")
    fitted, smooth_claim, copy_claim = missing_claims.claims(pd.concat([smooth, copy]), cfg)
    assert fitted.passed and smooth_claim.passed and copy_claim.passed
    assert "< 0.25" in smooth_claim.threshold and "|k| ≤ 24" in smooth_claim.threshold
    # swapped: the biased net copying the target and the bias-free net filling smoothly both fail
    swapped = pd.concat(
        [
            synthetic_fill(lambda t: np.sin(6 * t), "normal"),
            synthetic_fill(lambda t: np.sin(1.2 * t), "zeros", loss=0.5),
        ]
    )
    fitted, smooth_claim, copy_claim = missing_claims.claims(swapped, cfg)
    assert not fitted.passed and not smooth_claim.passed and not copy_claim.passed
    # a smooth (or copied) fill that does not fit the training points is no interpolant: a net that
    # learned nothing, or a constant, is smooth too
    unfitted = pd.concat(
        [
            synthetic_fill(lambda t: np.sin(1.2 * t), "normal", loss=3.0),
            synthetic_fill(lambda t: 0.95 * np.sin(6 * t), "zeros", loss=3.0),
        ]
    )
    fitted, smooth_claim, copy_claim = missing_claims.claims(unfitted, cfg)
    assert not fitted.passed and not smooth_claim.passed and not copy_claim.passed
    assert (
        "loss ratio 1.5e+00, bending ratio 0.013" in smooth_claim.measured
        and "< 0.01 on the training points" in smooth_claim.threshold
    )


def test_missing_data_claims_fail_on_the_controls(missing_cfg):
    table = table_of(
        missing_claims,
        "basri_missing_data",
        execute(missing, "basri_missing_data", missing_cfg, learner=None),
        missing_cfg,
    )
    assert list(table["claim"]) == ["training_points_fitted", "gap_filled_smoothly", "bias_free_net_copies_target"]
    # the authors' run (zero biases) copies sin 6θ: that is the paper's figure; the smooth fill is ours
    assert list(table["source"]) == ["paper", "suite", "paper"]
    for control in CONTROLS:
        assert not table[f"control_{control}"].any(), table[f"control_{control}_measured"].tolist()


def test_second_derivative_is_exact_for_band_limited_functions():
    theta = np.linspace(-np.pi, np.pi, 512, endpoint=False)
    f = np.sin(6 * theta) + 0.3 * np.cos(2 * theta)
    assert np.allclose(
        missing_claims.second_derivative(f, 24), -36 * np.sin(6 * theta) - 1.2 * np.cos(2 * theta), atol=1e-9
    )
    assert np.allclose(missing_claims.second_derivative(f, 4), -1.2 * np.cos(2 * theta), atol=1e-9)


def test_figures_draw(superposition_cfg, missing_cfg, tmp_path):
    for name, module, drawing, cfg in (
        ("basri_superposition", superposition, superposition_figure, superposition_cfg),
        ("basri_missing_data", missing, missing_figure, missing_cfg),
    ):
        fig = drawing.figure(execute(module, name, cfg), cfg)
        png, pdf = tmp_path / f"{name}.png", tmp_path / f"{name}.pdf"
        style.save(fig, str(png), str(pdf))
        assert png.stat().st_size > 10_000 and pdf.stat().st_size > 5_000
