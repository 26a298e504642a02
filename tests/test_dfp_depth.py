"""dfp_depth (XZ20 fig 1): steps to a loss level vs depth and vs frequency; the claims on
synthetic metrics (pass, and fail for ties, the wrong order, a run that never converges, too small
a speed-up), the uniform-rate control, and one tiny end-to-end run."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple.claims import evaluate
from fprinciple.experiments.dfp_depth import claims as depth_claims
from fprinciple.experiments.dfp_depth import figure
from fprinciple.experiments.dfp_depth import run as depth_run
from fprinciple.runner import execute

from .conftest import load_config

CFG = {
    "relative_loss_threshold": 0.01,
    "steps": 1000,
    "depth_sweep": {"frequencies": [3, 5], "depths": [1, 2, 3]},
    "frequency_sweep": {"depth": 2, "frequencies": [1, 2, 3]},
    "claims": {"min_speedup": 2.0, "min_slowdown": 2.0},
}


def loss_metrics(depth_steps: dict, frequency_steps: dict, seeds=(0, 1), learner="trained") -> pd.DataFrame:
    """Metrics whose relative loss falls from 1 to 1e-3 in a straight line, crossing 0.01 at the
    given step for each (depth or k, seed); None: never below (stays at 1)."""
    rows = []
    for sweep, table in (("depth", depth_steps), ("frequency", frequency_steps)):
        for value, steps in table.items():
            for seed, reach in zip(seeds, steps):
                depth, k = (value, 5) if sweep == "depth" else (2, value)
                rows.append((0, "target_energy", np.nan, 0.5, sweep, depth, k, seed))
                for step in range(0, 1001, 10):
                    loss = 0.5 * (1.0 if reach is None or step < reach else 1e-3)
                    rows.append((step, "train_loss", np.nan, loss, sweep, depth, k, seed))
    frame = pd.DataFrame(rows, columns=["step", "metric", "key", "value", "sweep", "depth", "frequency", "seed"])
    return frame.assign(learner=learner, run=frame["seed"].map(lambda s: f"seed-{s}"))


GOOD = ({1: [800, 700], 2: [300, 400], 3: [100, 200]}, {1: [50, 60], 2: [200, 150], 3: [500, 600]})


def verdicts(depth_steps, frequency_steps, cfg=CFG) -> list[bool]:
    return [c.passed for c in depth_claims.claims(loss_metrics(depth_steps, frequency_steps), cfg)]


def test_claims_pass_on_the_paper_pattern():
    claims = depth_claims.claims(loss_metrics(*GOOD), CFG)
    assert [c.claim for c in claims] == ["deeper_is_faster", "higher_frequency_is_slower"]
    assert [c.passed for c in claims] == [True, True]
    assert "depth 1: 750" in claims[0].measured and "factor 5" in claims[0].measured


def test_steps_to_threshold_is_the_first_logged_step_below():
    table = depth_claims.steps_to_threshold(loss_metrics(*GOOD), CFG)
    row = table[(table["sweep"] == "depth") & (table["depth"] == 2) & (table["seed"] == 1)]
    assert row["steps"].item() == 400


@pytest.mark.parametrize(
    "depth_steps,frequency_steps,expected",
    [
        ({1: [300, 300], 2: [300, 300], 3: [300, 300]}, GOOD[1], [False, True]),  # ties: no depth effect
        ({1: [100, 200], 2: [300, 400], 3: [800, 700]}, GOOD[1], [False, True]),  # the opposite order
        ({1: [None, 700], 2: [300, 400], 3: [100, 200]}, GOOD[1], [False, True]),  # one run never converges
        ({1: [500, 500], 2: [400, 400], 3: [300, 300]}, GOOD[1], [False, True]),  # ordered, speed-up 1.7 < 2
        (GOOD[0], {1: [500, 600], 2: [200, 150], 3: [50, 60]}, [True, False]),  # high frequency first
        (GOOD[0], {1: [None] * 2, 2: [None] * 2, 3: [None] * 2}, [True, False]),  # nothing learned
    ],
)
def test_claims_fail(depth_steps, frequency_steps, expected):
    assert verdicts(depth_steps, frequency_steps) == expected


def test_the_seed_mean_decides_the_order():
    # seed 1 has depth 3 slower than depth 2, the mean still falls
    assert verdicts({1: [800, 800], 2: [400, 300], 3: [100, 350]}, GOOD[1]) == [True, True]


def test_uniform_rate_control_reaches_the_level_at_the_same_step_for_any_target():
    x = torch.linspace(-np.pi, np.pi, 201)[:, None]
    for frequencies in ([3, 5], [1], [4]):
        y = depth_run.cosines(x, frequencies)
        control = depth_run.UniformRate(frequencies, y.mean().item(), 0.01, reach_step=5)
        energy = y.square().mean().item()
        relative = [((control.at(t)(x) - y).square().mean() / energy).item() for t in (0, 4, 5, 6, 10)]
        assert relative[0] == pytest.approx(1.0, rel=1e-3)
        assert relative[1] > 0.01 > relative[3] and relative[2] == pytest.approx(0.01, rel=1e-3)


def tiny_cfg() -> dict:
    cfg = copy.deepcopy(load_config("smoke.yaml")["experiments"]["dfp_depth"])
    cfg["steps"], cfg["log_every"] = 30, 10
    return cfg


def test_tiny_run_end_to_end(tmp_path):
    cfg = tiny_cfg()
    metrics = execute("dfp_depth", "seeds-0", cfg, tmp_path, threads=1, progress=False)
    assert set(metrics["learner"]) == {"trained", "frozen", "mean", depth_run.UNIFORM_RATE}
    parts = metrics[metrics["metric"] == "train_loss"].groupby(["sweep", "depth", "frequency"]).size()
    assert len(parts) == 4  # 2 depths + 2 frequencies
    table = evaluate(depth_claims.claims, metrics, cfg, experiment="dfp_depth", scale="smoke", dataset="d")
    assert list(table["claim"]) == ["deeper_is_faster", "higher_frequency_is_slower"]
    # the uniform-rate learner converges at the first logged step everywhere: ties, so it fails
    uniform = depth_claims.steps_to_threshold(metrics[metrics["learner"] == depth_run.UNIFORM_RATE], cfg)
    assert (uniform["steps"] == cfg["log_every"]).all()
    assert not table["control_uniform_rate"].any()
    figure.figure(metrics[metrics["learner"] == "trained"], cfg).savefig(tmp_path / "fig.png")
