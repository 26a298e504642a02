"""The non-gradient-descent runner: flatten/unflatten, every method lowers the loss of a tiny
net, per-iteration logging with evaluation counts, stopping rules, determinism, controls."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.training import RunContext
from fprinciple.training.controls import standard
from fprinciple.training.nongd import (
    METHODS,
    NonGDSpec,
    load_parameters,
    minimize_module,
    parameters_vector,
)

X = torch.linspace(-np.pi, np.pi, 21, dtype=torch.float64)[:, None]
Y = torch.sin(X)


def tiny_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, 4), nn.Tanh(), nn.Linear(4, 1)).double()  # 13 parameters


def mse(model):
    return torch.mean((model(X) - Y) ** 2)


def output_hook(step, model, last):
    with torch.no_grad():
        yield "output", X[:, 0].numpy(), model(X)[:, 0].numpy()


def run(method, iterations, seed=0, net_seed=0, **spec):
    model = tiny_net(net_seed)
    spec.setdefault("swarm_size", 10)
    spec.setdefault("swarm_sigma", 0.5)
    result = minimize_module(
        model, mse, NonGDSpec(method, iterations, **spec), RunContext(), hooks=[output_hook], seed=seed
    )
    return model, result


def metric(records, name, learner=TRAINED):
    rows = records[(records["metric"] == name) & (records["learner"] == learner)]
    return rows.groupby("step")["value"].first() if rows["key"].isna().all() else rows


# --- flatten / unflatten ----------------------------------------------------------------------


def test_flatten_unflatten_round_trip():
    model = tiny_net()
    theta = parameters_vector(model)
    assert theta.dtype == np.float64 and theta.shape == (13,)
    np.testing.assert_array_equal(theta[:4], model[0].weight.detach().numpy()[:, 0])
    new = np.arange(13, dtype=np.float64)
    load_parameters(model, new)
    np.testing.assert_array_equal(parameters_vector(model), new)
    np.testing.assert_array_equal(model[2].bias.detach().numpy(), [12.0])


def test_flatten_skips_frozen_parameters_and_keeps_dtype():
    model = tiny_net().float()
    model[2].weight.requires_grad_(False)
    theta = parameters_vector(model)
    assert theta.shape == (9,) and theta.dtype == np.float64
    load_parameters(model, np.zeros(9))
    assert model[0].weight.dtype == torch.float32
    assert torch.all(model[0].weight == 0) and torch.any(model[2].weight != 0)


# --- every optimizer ---------------------------------------------------------------------------


@pytest.mark.parametrize("method,iterations", [("cg", 30), ("bfgs", 30), ("l-bfgs-b", 30), ("powell", 3), ("pso", 20)])
def test_each_method_lowers_the_loss_and_logs_every_iteration(method, iterations):
    model, result = run(method, iterations)
    loss = metric(result.records, "train_loss")
    evaluations = metric(result.records, "evaluations")
    assert list(loss.index) == list(range(result.iterations + 1))  # log_every = 1: 0, 1, ..., last
    assert result.final_loss < 0.5 * loss.iloc[0]
    assert result.final_loss == pytest.approx(mse(model).item(), rel=1e-12)  # the module holds the result
    assert loss.iloc[-1] == pytest.approx(result.final_loss, rel=1e-12)
    assert evaluations.iloc[0] == 0 and np.all(np.diff(evaluations.to_numpy()) > 0)
    assert evaluations.iloc[-1] == result.evaluations
    if method == "pso":
        assert result.evaluations == 10 * result.iterations  # one pass of the swarm per iteration
        assert np.all(np.diff(loss.to_numpy()[1:]) <= 0)  # the global best never gets worse
    # The hook saw the module at the logged iterate: its output gives the logged loss.
    outputs = metric(result.records, "output")
    last = outputs[outputs["step"] == result.iterations]["value"].to_numpy()
    assert np.mean((last - Y[:, 0].numpy()) ** 2) == pytest.approx(loss.iloc[-1], rel=1e-12)


def test_methods_are_listed():
    assert set(METHODS) == {"cg", "bfgs", "l-bfgs-b", "powell", "pso"}
    with pytest.raises(ValueError, match="unknown method"):
        run("adam", 3)


# --- stopping and logging rules ---------------------------------------------------------------


def test_max_iterations_and_log_every():
    _, result = run("bfgs", 7, log_every=3, options={"gtol": 0.0})
    assert result.stopped_by == "max_iterations" and result.iterations == 7
    assert list(metric(result.records, "train_loss").index) == [0, 3, 6, 7]


def test_loss_threshold_stops_at_the_first_iteration_below():
    _, full = run("bfgs", 40, options={"gtol": 0.0})
    loss = metric(full.records, "train_loss")
    threshold = float(loss.iloc[5] * 1.0000001)  # first reached at iteration 5 (BFGS is monotone here)
    assert np.all(loss.iloc[:5] > threshold)
    _, stopped = run("bfgs", 40, loss_threshold=threshold)
    assert stopped.stopped_by == "loss_threshold" and stopped.iterations == 5


def test_max_evaluations_is_checked_after_each_iteration():
    _, result = run("pso", 1000, max_evaluations=55)
    assert result.stopped_by == "max_evaluations"
    assert result.evaluations == 60 and result.iterations == 6  # 10 per iteration: stops at 60 ≥ 55


def test_scipy_convergence_logs_the_last_iterate_once():
    _, result = run("l-bfgs-b", 10_000, log_every=1000)
    assert result.stopped_by == "converged" and result.iterations < 10_000
    steps = metric(result.records, "train_loss").index
    assert list(steps) == [0, *range(1000, result.iterations, 1000), result.iterations]
    assert not result.records.duplicated(["step", "learner", "metric", "key"]).any()


def test_rehearsal_truncates_iterations():
    model = tiny_net()
    result = minimize_module(model, mse, NonGDSpec("cg", 50, options={"gtol": 0.0}), RunContext(max_steps=4))
    assert result.iterations == 4 and result.stopped_by == "max_steps"


def test_diverging_loss_raises():
    from fprinciple.training import TrainingDiverged

    with pytest.raises(TrainingDiverged):
        minimize_module(tiny_net(), lambda m: mse(m) * float("nan"), NonGDSpec("powell", 2), RunContext())


# --- determinism and controls -----------------------------------------------------------------


@pytest.mark.parametrize("method,iterations", [("bfgs", 15), ("powell", 2), ("pso", 10)])
def test_deterministic_under_a_seed(method, iterations):
    _, first = run(method, iterations, seed=3)
    _, again = run(method, iterations, seed=3)
    pd.testing.assert_frame_equal(first.records, again.records)
    if method == "pso":
        _, other = run(method, iterations, seed=4)
        assert not np.allclose(metric(first.records, "train_loss"), metric(other.records, "train_loss"))


def test_controls_are_logged_through_the_same_hooks():
    model = tiny_net()
    controls = standard(model, Y, "mse")
    initial_loss = mse(model).item()
    result = minimize_module(model, mse, NonGDSpec("bfgs", 5), RunContext(), hooks=[output_hook], controls=controls)
    frozen = metric(result.records, "train_loss", FROZEN)
    np.testing.assert_allclose(frozen.to_numpy(), initial_loss, rtol=1e-12)
    mean = metric(result.records, "train_loss", MEAN)
    np.testing.assert_allclose(mean.to_numpy(), torch.mean((Y - Y.mean()) ** 2).item(), rtol=1e-6)
    assert set(result.records["learner"]) == {TRAINED, FROZEN, MEAN}
    assert metric(result.records, "evaluations", FROZEN).empty  # evaluations belong to the optimizer
    assert len(metric(result.records, "output", FROZEN)) == 21 * (result.iterations + 1)


# --- the evaluation clock ----------------------------------------------------------------------


@pytest.mark.parametrize("method,iterations,every", [("powell", 3, 25), ("pso", 20, 15), ("bfgs", 30, 5)])
def test_evaluation_clock_logs_the_best_so_far_every_m_evaluations(method, iterations, every):
    _, result = run(method, iterations, log_every_evaluations=every)
    loss = metric(result.records, "train_loss")
    steps = list(loss.index)
    assert steps[0] == 0 and steps[-1] == result.evaluations  # step = evaluations
    assert steps[1:-1] == [s for s in range(every, result.evaluations, every)]
    np.testing.assert_array_equal(metric(result.records, "evaluations").to_numpy(), steps)
    iterations = metric(result.records, "iterations").to_numpy()
    assert iterations[0] == 0 and iterations[-1] == result.iterations and np.all(np.diff(iterations) >= 0)
    assert np.all(np.diff(loss.to_numpy()) <= 1e-15)  # the best so far never gets worse
    if method == "powell":  # finer than its iteration clock: many logged points per sweep
        assert len(steps) > 3 * (result.iterations + 1)
    outputs = metric(result.records, "output")
    for step in steps[1:-1]:  # the hooks saw the best parameters at each step
        out = outputs[outputs["step"] == step]["value"].to_numpy()
        assert np.mean((out - Y[:, 0].numpy()) ** 2) == pytest.approx(loss[step], rel=1e-12)


def test_evaluation_clock_matches_the_iteration_run_at_its_end():
    _, by_iteration = run("powell", 3)
    _, by_evaluation = run("powell", 3, log_every_evaluations=50)
    assert by_evaluation.evaluations == by_iteration.evaluations  # logging does not change the search
    assert by_evaluation.final_loss == by_iteration.final_loss
