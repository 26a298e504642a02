"""theory_stages: the stage claims on synthetic stage tables (pass; fail below the margin, on a
missing halving, on NaN shares; the final stage only on nets near a minimum), the opposite
control's shares, and a tiny run."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple.experiments import theory_stages
from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.spectral.stages import STAGES, band_share, stage_shares, weighted_loss
from fprinciple.training import RunContext

CFG = {
    "seeds": [0],
    "grid_points": 64,
    "target": {"low": [1, 2], "high": [6, 8], "cutoff": 4},
    "densities": ["uniform", "bump"],
    "n_train": 48,
    "activations": ["tanh", "relu"],
    "losses": [2, 4],
    "model": {"hidden": [8]},
    "optimizers": {"l2": {"name": "gd", "lr": 0.02}, "l4": {"name": "gd", "lr": 0.0005}},
    "steps": 30,
    "log_every": 5,
    "final_fraction": 0.2,
    "claims": {"margin": 0.1, "final_loss_ratio": 0.05},
}


def net_rows(shares, baselines, loss_ratio=0.01, seed=0, density="bump", activation="tanh", power=2, learner=TRAINED):
    """A net's stage metrics (shares and baselines per stage) and its loss history's two ends."""
    rows = []
    base = {"seed": seed, "density": density, "activation": activation, "power": power, "learner": learner}
    for metric, values in (("stage_share", shares), ("stage_baseline", baselines), ("stage_t0", (0, 0, 80)),
                           ("stage_t1", (5, 20, 100))):
        for index, value in enumerate(values):
            rows.append(base | {"step": 100, "metric": metric, "key": float(index), "value": value})
    rows += [base | {"step": 0, "metric": "population_loss", "key": np.nan, "value": 1.0},
             base | {"step": 100, "metric": "population_loss", "key": np.nan, "value": loss_ratio}]
    return pd.DataFrame(rows)


def verdicts(metrics):
    return {c.claim.split("_")[0]: c for c in theory_stages.claims(metrics, CFG)}


def test_low_frequency_dominated_nets_pass_every_stage():
    metrics = pd.concat([net_rows((0.95, 0.9, 0.3), (0.6, 0.6, 0.1), activation=a, power=p)
                         for a in ("tanh", "relu") for p in (2, 4)])
    result = verdicts(metrics)
    assert all(c.passed for c in result.values())
    assert "holds in 4/4 nets" in result["initial"].measured
    assert "0 nets ended above" in result["final"].measured


@pytest.mark.parametrize("stage,shares,baselines", [
    ("initial", (0.65, 0.9, 0.3), (0.6, 0.6, 0.1)),      # above the baseline, but by less than the margin
    ("intermediate", (0.95, np.nan, 0.3), (0.6, np.nan, 0.1)),  # the loss never halved
    ("initial", (np.nan, 0.9, 0.3), (0.6, 0.6, 0.1)),    # no output change (a frozen learner)
    ("final", (0.95, 0.9, 0.05), (0.6, 0.6, 0.1)),       # the low band lags at the final stage
])
def test_each_stage_fails_on_its_own_counterexample(stage, shares, baselines):
    metrics = pd.concat([net_rows((0.95, 0.9, 0.3), (0.6, 0.6, 0.1)), net_rows(shares, baselines, activation="relu")])
    result = verdicts(metrics)
    assert not result[stage].passed
    assert all(c.passed for name, c in result.items() if name != stage)


def test_final_stage_counts_only_nets_near_a_minimum():
    lagging_far = net_rows((0.95, 0.9, 0.0), (0.6, 0.6, 0.3), loss_ratio=0.4, activation="relu")
    result = verdicts(pd.concat([net_rows((0.95, 0.9, 0.3), (0.6, 0.6, 0.1)), lagging_far]))
    assert result["final"].passed and "1 nets ended above" in result["final"].measured
    assert not verdicts(lagging_far)["final"].passed  # no net near a minimum: nothing shown


def test_no_rows_fail_without_crashing():
    assert not any(c.passed for c in theory_stages.claims(pd.DataFrame(columns=["metric", "step", "value"]), CFG))


@pytest.mark.parametrize("density", ["uniform", "bump"])
def test_problem_has_equal_band_energy_and_the_opposite_fails_every_stage(density):
    problem = theory_stages.Problem(CFG, density)
    assert band_share(problem.f, 4, problem.weights) == pytest.approx(0.5, abs=1e-9)
    np.testing.assert_allclose(problem.target(problem.x), problem.f, atol=1e-12)
    opposite = theory_stages.HighBandFirst(problem, 1000)
    steps = np.arange(0, 1001, 20)
    grid = torch.as_tensor(problem.x, dtype=torch.float64)[:, None]
    outputs = np.stack([opposite.at(int(t))(grid)[:, 0].numpy() for t in steps])
    loss = weighted_loss(outputs - problem.f, 2, problem.weights)
    assert loss[-1] < 0.05 * loss[0]  # it reaches the final stage's loss criterion
    table = stage_shares(steps, loss, outputs, problem.f, 4, problem.weights).set_index("stage")
    assert (table["residual_energy_share"] < table["baseline"]).all()
    assert (table["output_change_share"] < table["baseline"]).all()


# --- a tiny run -------------------------------------------------------------------------------


def test_run_trains_every_activation_and_loss_and_records_the_stages():
    result = theory_stages.run(CFG, {"density": "bump", "seeds": [0]}, RunContext(progress=False))
    records = result.records
    assert set(records["learner"]) == {TRAINED, FROZEN, MEAN, "opposite"}
    nets = records[["activation", "power"]].drop_duplicates()
    assert len(nets) == 4
    shares = records[(records["metric"] == "stage_share") & (records["learner"] == TRAINED)]
    assert len(shares) == 4 * len(STAGES)
    outputs = records[records["metric"] == "output"]
    assert set(outputs["step"]) == {0, 30}  # the bulky grid outputs are kept at the ends only
    frozen = records[(records["metric"] == "stage_share") & (records["learner"] == FROZEN)]
    assert frozen["value"].isna().all()  # no decrease, no change: no share
    table = theory_stages.stage_table(records[records["learner"] == TRAINED].assign(density="bump"))
    assert set(table["stage"]) == set(STAGES)


def test_an_activation_trains_on_its_own_learning_rate(monkeypatch):
    """``lr_by_activation`` overrides the loss's lr for that activation only."""
    cfg = CFG | {"optimizers": {"l2": {"name": "gd", "lr": 0.02, "lr_by_activation": {"relu": 0.3}},
                                "l4": CFG["optimizers"]["l4"]}}
    problem = theory_stages.Problem(cfg, "uniform")
    used = []
    monkeypatch.setattr(theory_stages, "train_seeds", lambda members, spec, ctx, together: used.append(spec.lr))
    for activation, power in (("tanh", 2), ("relu", 2), ("tanh", 4), ("relu", 4)):
        theory_stages.train_nets(cfg, problem, activation, power, [0], RunContext(progress=False))
    assert used == [0.02, 0.3, 0.0005, 0.0005]
