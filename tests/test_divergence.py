"""Divergence is a stop, never a silent result: a NaN/inf loss or one grown past
trainer.DIVERGENCE_FACTOR times its initial value ends the run with the experiment's own keys."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from fprinciple import experiments
from fprinciple.errors import UserError
from fprinciple.runner import divergence_keys, execute
from fprinciple.training import RunContext, TrainingDiverged, TrainSpec, train
from fprinciple.training.trainer import DIVERGENCE_FACTOR

from .conftest import load_config


class ScriptedLoss(nn.Module):
    """A 'network' whose MSE against a zero target at its i-th call is ``losses(i)``: the loss
    curve is chosen by the test. The call count is a buffer, so a resumed run continues it."""

    def __init__(self, losses):
        super().__init__()
        self.losses = losses
        self.weight = nn.Parameter(torch.zeros(()))  # something for the optimizer to hold
        self.register_buffer("calls", torch.zeros((), dtype=torch.int64))

    def forward(self, x):
        loss = self.losses(int(self.calls))
        self.calls += 1
        return torch.full((x.shape[0], 1), float(np.sqrt(loss))) + 0 * self.weight


def scripted_run(losses, steps=60, ctx=None, hooks=(), **spec):
    x, y = torch.zeros(8, 1), torch.zeros(8, 1)
    ctx = ctx or RunContext(desc="scripted")
    return train(ScriptedLoss(losses), x, y, TrainSpec(steps=steps, lr=1e-3, log_every=10, **spec), ctx, hooks)


def tiny_robustness(**optimizers) -> dict:
    cfg = copy.deepcopy(load_config()["experiments"]["fp1d_robustness"])
    cfg.update(seeds=[0], activations=["tanh"], depths=[3], steps=200, log_every=10, optimizers=optimizers)
    return cfg


def test_adam_at_lr_1000_stops_naming_the_experiments_own_keys(tmp_path):
    # a hand-built block gives what the schema's defaults fill into the config's
    cfg = tiny_robustness(
        adam={"lr": 1000.0, "momentum": 0.0, "batch_size": None}, gd={"lr": 0.01, "momentum": 0.9, "batch_size": None}
    )
    with pytest.raises(TrainingDiverged) as info:
        run = next(iter(experiments.part("fp1d_robustness", "run").runs(cfg)))
        execute("fp1d_robustness", run, cfg, tmp_path, progress=False)
    message = str(info.value)
    assert isinstance(info.value, UserError)  # printed alone, without a traceback
    assert f"more than {DIVERGENCE_FACTOR:g} times its initial value" in message
    for key in ["optimizers.adam.lr", "optimizers.gd.lr", "model.init_std"]:
        assert f"experiments.fp1d_robustness.{key}" in message
    assert "optimizer.lr" not in message.replace("optimizers.", "")  # no key this experiment lacks
    assert not (tmp_path / "metrics.parquet").exists()


def test_divergence_keys_are_the_experiments_own():
    blocks = load_config()["experiments"]
    assert divergence_keys("fp1d_step", blocks["fp1d_step"]) == [
        "experiments.fp1d_step.model.init_std",
        "experiments.fp1d_step.optimizer.lr",
    ]
    basri = divergence_keys("basri_shallow_1d", blocks["basri_shallow_1d"])
    assert "experiments.basri_shallow_1d.nets.bias.lr" in basri
    assert "experiments.basri_shallow_1d.nets.no_bias.weight_std" in basri
    assert "experiments.fp_init_scale.init_stds" in divergence_keys("fp_init_scale", blocks["fp_init_scale"])


def test_nan_loss_stops():
    with pytest.raises(TrainingDiverged, match="scripted: training loss became nan by step 30"):
        scripted_run(lambda i: np.nan if i >= 25 else 1.0)


def test_finite_growth_past_the_factor_stops():
    with pytest.raises(TrainingDiverged, match="grew from 2 at step 0 to 4e\\+06 at step 20"):
        scripted_run(lambda i: 2.0 if i < 15 else 4e6)
    with pytest.raises(TrainingDiverged, match="more than 10 times"):
        scripted_run(lambda i: 2.0 if i < 15 else 40.0, divergence_factor=10)


def test_a_fluctuating_loss_does_not_stop():
    """Up by 1000x and down again, and a spike of 5000x over a tiny minimum: data, not divergence."""
    result = scripted_run(lambda i: [1.0, 1e3, 1e-6, 5e-3, 2e3, 1.0, 1e-2][(i // 10) % 7])
    assert result.stopped_by == "steps" and result.steps == 60
    assert scripted_run(lambda i: 1e3 if i > 5 else 1.0, divergence_factor=None).steps == 60  # off


def test_a_resumed_run_still_measures_growth_from_step_0(tmp_path):
    ctx = RunContext(checkpoint=tmp_path / "checkpoint.pt", checkpoint_every=10, fingerprint="f", desc="scripted")

    def killed(step, net, last):
        if step == 20:
            raise KeyboardInterrupt  # after the checkpoint at step 20
        return ()

    def curve(i):  # at step 40: 200x the loss at the resume (step 20), 2e4x the loss at step 0
        return 1.0 if i < 15 else 100.0 if i < 35 else 2e4

    with pytest.raises(KeyboardInterrupt):
        scripted_run(curve, ctx=ctx, hooks=[killed])
    with pytest.raises(TrainingDiverged, match="grew from 1 at step 0 to 2e\\+04 at step 40"):
        scripted_run(curve, ctx=ctx)
