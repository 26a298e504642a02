"""The trainer: determinism, resume after a kill, stopping rules, divergence, optimizers, and the
negative controls it logs next to the trained network."""

import os
import shlex

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.models import MLP
from fprinciple.training import RunContext, TrainingDiverged, TrainSpec, checkpoint, combine, train
from fprinciple.training.controls import Constant, Control, Frozen, mean_predictor

CTX = RunContext()


def ckpt(tmp_path, fingerprint="a", every=20, name="checkpoint.pt") -> RunContext:
    return RunContext(checkpoint=tmp_path / name, checkpoint_every=every, fingerprint=fingerprint)


def problem(n=64):
    x = torch.linspace(-np.pi, np.pi, n)[:, None]
    return x, torch.sin(x) + torch.sin(3 * x)


def model(seed=0, **kwargs):
    torch.manual_seed(seed)
    return MLP(1, 1, [32, 32], **kwargs)


def output_hook(x):
    def hook(step, net, last):
        with torch.no_grad():
            yield "output", x[:, 0].numpy(), net(x)[:, 0].numpy()

    return hook


@pytest.mark.parametrize("optimizer,batch_size", [("gd", None), ("sgd", 16), ("adam", None)])
def test_same_seed_same_metrics(optimizer, batch_size):
    x, y = problem()
    spec = TrainSpec(steps=40, lr=1e-2, optimizer=optimizer, batch_size=batch_size, log_every=10)
    runs = [train(model(), x, y, spec, CTX, [output_hook(x)], seed=3).records for _ in range(2)]
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert set(runs[0]["step"]) == {0, 10, 20, 30, 40}
    assert list(runs[0].columns) == ["step", "metric", "key", "value", "learner"]
    assert set(runs[0]["learner"]) == {TRAINED, FROZEN, MEAN}


def test_training_reduces_the_loss():
    x, y = problem()
    result = train(model(), x, y, TrainSpec(steps=300, lr=3e-3, log_every=100), CTX)
    loss = result.records.query("metric == 'train_loss' and learner == @TRAINED").set_index("step")["value"]
    assert loss[300] < 0.2 * loss[0]


def test_controls_are_logged_through_the_same_hooks():
    """The frozen control keeps the initial output and loss; the mean predictor outputs the
    targets' mean; a custom control sees the step."""
    x, y = problem()

    class Ramp(Control):
        def at(self, step):
            return Constant(torch.full((1,), float(step)))

    result = train(
        model(), x, y, TrainSpec(steps=30, lr=3e-3, log_every=10), CTX, [output_hook(x)], controls={"ramp": Ramp()}
    )
    out = result.records.query("metric == 'output'")
    frozen = out[out["learner"] == FROZEN].pivot(index="key", columns="step", values="value")
    trained = out[out["learner"] == TRAINED].pivot(index="key", columns="step", values="value")
    np.testing.assert_array_equal(frozen[0], trained[0])  # the same network at step 0
    assert (frozen.sub(frozen[0], axis=0).abs().to_numpy() == 0).all()  # never updated
    assert not np.allclose(trained[30], trained[0])
    mean = out[out["learner"] == MEAN]["value"].to_numpy()
    np.testing.assert_allclose(mean, y.mean().item(), rtol=1e-6)
    ramp = out[out["learner"] == "ramp"].groupby("step")["value"].first()
    assert list(ramp.index) == [0, 10, 20, 30] and list(ramp) == [0.0, 10.0, 20.0, 30.0]
    loss = result.records.query("metric == 'train_loss'").pivot(index="step", columns="learner", values="value")
    assert loss[FROZEN].nunique() == 1 and loss[MEAN].nunique() == 1
    assert loss[MEAN].iloc[0] == pytest.approx(torch.mean((y - y.mean()) ** 2).item(), rel=1e-5)


def test_mean_predictor_of_a_classifier_is_the_class_prior():
    y = torch.tensor([0, 0, 0, 1, 2, 2])
    probabilities = mean_predictor(y, "cross_entropy")(torch.zeros(4, 7)).softmax(dim=1)
    np.testing.assert_allclose(probabilities.numpy(), np.tile([0.5, 1 / 6, 1 / 3], (4, 1)), rtol=1e-6)


def test_frozen_control_computes_each_output_once():
    """Slices cut afresh from the same data every epoch hit the cache; a temporary input's entry
    goes with it (no growth, no stale address reuse)."""
    frozen, calls = Frozen(torch.nn.Linear(1, 1)), []
    frozen.model.register_forward_hook(lambda *_: calls.append(1))
    data = torch.arange(6.0)[:, None]
    for _ in range(3):  # three "epochs" of batched evaluation
        first, _ = frozen(data[:3]), frozen(data[3:])
    assert len(calls) == 2 and torch.equal(first, frozen.model(data[:3]).detach())
    calls.clear()
    for _ in range(3):
        frozen(data[torch.tensor([0, 2])])  # a fresh minibatch (a copy) every time
    assert len(calls) == 3 and len(frozen._cache) == 1  # only the data's entry is kept
    x = torch.ones(2, 1, requires_grad=True)
    assert frozen(x).grad_fn is not None  # differentiable in its input, never from the cache


def test_frozen_control_differentiable_by_its_input_bypasses_the_cache():
    frozen, calls = Frozen(torch.nn.Linear(1, 1)), []
    frozen.model.register_forward_hook(lambda *_: calls.append(1))
    x = torch.linspace(-1, 1, 5)[:, None].requires_grad_(True)
    first, second = frozen(x), frozen(x)
    assert first is not second and len(calls) == 2  # never cached: each call has its own graph
    (slope,) = torch.autograd.grad(first.sum(), x)
    np.testing.assert_allclose(slope.numpy(), frozen.model.weight.item(), rtol=1e-6)
    assert not any(p.requires_grad for p in frozen.parameters())  # still never trained


def mse_objective(net, xb, yb):
    return torch.mean((net(xb) - yb) ** 2)


def test_objective_equal_to_the_fixed_loss_gives_the_same_run():
    x, y = problem()
    spec = TrainSpec(steps=40, lr=1e-2, log_every=10)
    fixed = train(model(), x, y, spec, CTX, [output_hook(x)], seed=2).records
    custom = train(model(), x, y, spec, CTX, [output_hook(x)], seed=2, objective=mse_objective).records
    pd.testing.assert_frame_equal(fixed, custom)


def slope_objective(net, xb, yb):
    """mean (h'(x) − y)²: the loss differentiates the output by the input, like a PDE residual.
    An output that does not depend on x (the mean control) has h' = 0."""
    x = xb.detach().requires_grad_(True)
    out = net(x)
    if not out.requires_grad:
        return torch.mean(yb**2)
    (slope,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return torch.mean((slope - yb) ** 2)


def test_objective_that_differentiates_by_the_input_trains_and_scores_the_controls():
    x = torch.linspace(-np.pi, np.pi, 64)[:, None]
    y = torch.cos(x)  # the wanted slope: h = sin x + c
    net = model()
    initial = slope_objective(net, x, y).item()
    result = train(
        net, x, y, TrainSpec(steps=200, lr=3e-3, log_every=50), CTX, [output_hook(x)], objective=slope_objective
    )
    loss = result.records.query("metric == 'train_loss'").pivot(index="step", columns="learner", values="value")
    assert loss[TRAINED].iloc[0] == pytest.approx(initial, rel=1e-6)
    assert loss[TRAINED].iloc[-1] < 0.2 * initial
    np.testing.assert_allclose(loss[FROZEN], initial, rtol=1e-6)  # the initial net's loss, every step
    np.testing.assert_allclose(loss[MEAN], torch.mean(y**2).item(), rtol=1e-6)  # a constant: h' = 0


def test_resume_after_kill_equals_uninterrupted(tmp_path):
    x, y = problem()
    spec = TrainSpec(steps=60, lr=1e-2, optimizer="sgd", batch_size=16, momentum=0.9, log_every=10)
    reference = train(model(), x, y, spec, CTX, [output_hook(x)], seed=1)

    class Killed(Exception):
        pass

    def killer(step, net, last):
        if step == 50:
            raise Killed  # dies after the checkpoint at step 40
        return ()

    ctx = ckpt(tmp_path)
    with pytest.raises(Killed):
        train(model(), x, y, spec, ctx, [output_hook(x), killer], seed=1)
    assert ctx.checkpoint.exists()
    resumed = train(model(seed=99), x, y, spec, ctx, [output_hook(x)], seed=1)
    assert resumed.resumed_from == 40
    pd.testing.assert_frame_equal(resumed.records, reference.records)  # the frozen control too


def test_checkpoint_records_are_packed_and_come_back_value_for_value(tmp_path):
    """Records go to the checkpoint as flat columns (pickling each small array was a seventh of
    a job that logs every update) and load as the same tuples, one run's or one list per member."""
    x, y = problem()
    spec = TrainSpec(steps=20, lr=1e-2, log_every=5)
    ctx = ckpt(tmp_path, every=10)
    train(model(), x, y, spec, ctx, [output_hook(x)])
    columns = torch.load(ctx.checkpoint, weights_only=True)["records"]
    assert all(isinstance(columns[name], torch.Tensor) for name in ("steps", "sizes", "keys", "values"))
    logged = checkpoint.load(ctx)["records"]
    assert {learner for _, learner, *_ in logged} == {TRAINED, FROZEN, MEAN}

    def same_record(r, s):
        arrays_equal = all(u.shape == v.shape and np.array_equal(u, v, equal_nan=True) for u, v in zip(r[3:], s[3:]))
        return r[:3] == s[:3] and type(r[0]) is type(s[0]) and arrays_equal

    def same(a, b):
        return len(a) == len(b) and all(same_record(r, s) for r, s in zip(a, b))

    members = [logged, logged[:3], []]
    for records in (logged, members, []):
        checkpoint.save(ctx, {"records": records})
        back = checkpoint.load(ctx)["records"]
        if records is members:
            assert len(back) == len(members) and all(same(a, b) for a, b in zip(back, members))
        else:
            assert same(back, records)
    with pytest.raises(TypeError, match="1-D float64"):
        checkpoint.save(ctx, {"records": [(0, TRAINED, "image", np.zeros((2, 2)), np.ones((2, 2)))]})


class RunsCommand:
    """Unpickling it runs a shell command: the payload of a checkpoint planted by someone else."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def test_a_checkpoint_that_would_run_code_is_refused_and_not_run(tmp_path):
    x, y = problem()
    ctx = ckpt(tmp_path)
    marker = tmp_path / "code-ran"
    planted = {"step": 20, "fingerprint": ctx.fingerprint, "model": RunsCommand(f"touch {shlex.quote(str(marker))}")}
    torch.save(planted, ctx.checkpoint)
    with pytest.raises(checkpoint.CheckpointRefused) as refused:
        train(model(), x, y, TrainSpec(steps=20, lr=1e-2, log_every=10), ctx)
    message = str(refused.value)
    assert str(ctx.checkpoint) in message and "system" in message and "Delete it" in message
    assert not marker.exists()
    torch.load(ctx.checkpoint, weights_only=False)  # what loading used to do: the planted code runs
    assert marker.exists()


def test_a_checkpoint_of_the_earlier_format_is_ignored_unread(tmp_path, capsys):
    """Before checkpoints were safe to load they held numpy arrays: one left in a results folder
    by an earlier fprinciple is ignored without unpickling it (the job trains from scratch), so an
    upgrade reruns jobs rather than failing them; ``read`` alone still refuses it."""
    ctx = ckpt(tmp_path)
    records = [(0, TRAINED, "train_loss", np.array([np.nan]), np.array([1.0]))]
    torch.save({"step": 20, "fingerprint": ctx.fingerprint, "records": records}, ctx.checkpoint)
    assert checkpoint.load(ctx) is None
    assert "written by an earlier fprinciple" in capsys.readouterr().err
    with pytest.raises(checkpoint.CheckpointRefused, match=r"numpy.*Delete it.*the run then restarts from scratch"):
        checkpoint.read(ctx.checkpoint)


def test_finished_part_is_not_trained_again(tmp_path):
    """A job killed after a part finished (or after training, before its outputs were
    registered) gets that part's records back from the checkpoint without training."""
    x, y = problem()
    spec = TrainSpec(steps=30, lr=1e-2, log_every=10)
    ctx = ckpt(tmp_path, every=10).part("scale-2")
    assert ctx.checkpoint.name == "checkpoint-scale-2.pt" and ctx.fingerprint == "a/scale-2"
    first = train(model(), x, y, spec, ctx, [output_hook(x)])

    def never(step, net, last):
        raise AssertionError("trained again")

    again = train(model(seed=5), x, y, spec, ctx, [never])
    pd.testing.assert_frame_equal(again.records, first.records)
    assert again.steps == 30 and again.stopped_by == "steps"
    both = combine([({"scale": 1}, first), ({"scale": 2}, again)])
    assert set(both.records["scale"]) == {1, 2} and both.steps == 60 and both.planned_steps == 60


def test_checkpoint_of_other_settings_is_not_resumed(tmp_path):
    x, y = problem()
    spec = TrainSpec(steps=20, lr=1e-2, log_every=10)
    train(model(), x, y, spec, ckpt(tmp_path, "old", 10), seed=0)
    result = train(model(), x, y, spec, ckpt(tmp_path, "new", 10), seed=0)
    assert result.resumed_from == 0 and result.steps_per_s > 0


def test_max_steps_truncates_a_run():
    x, y = problem()
    result = train(
        model(), x, y, TrainSpec(steps=500, lr=1e-2, log_every=100), RunContext(max_steps=7), [output_hook(x)]
    )
    assert result.steps == 7 and result.stopped_by == "max_steps" and result.planned_steps == 500
    assert set(result.records["step"]) == {0, 7}


def test_loss_threshold_stops_at_first_step_below():
    x, y = problem()
    spec = TrainSpec(steps=5000, lr=3e-3, loss_threshold=0.05, log_every=1000)
    result = train(model(), x, y, spec, CTX, [output_hook(x)])
    assert result.stopped_by == "loss_threshold" and result.steps < 5000
    loss = result.records.query("metric == 'train_loss' and learner == @TRAINED").set_index("step")["value"]
    assert loss[result.steps] < 0.05 and loss[0] >= 0.05
    outputs = result.records.query("metric == 'output'")
    assert result.steps in set(outputs["step"])  # hooks are told the last step
    assert result.steps in set(outputs[outputs["learner"] == FROZEN]["step"])


def test_nan_stops_with_a_clear_message():
    x, y = problem()
    with pytest.raises(TrainingDiverged, match="lower the learning rate"):
        train(model(), x, y, TrainSpec(steps=50, lr=1e6, optimizer="gd", log_every=5), CTX)


def test_gd_rejects_minibatches():
    x, y = problem()
    with pytest.raises(ValueError, match="full-batch"):
        train(model(), x, y, TrainSpec(steps=1, lr=0.1, optimizer="gd", batch_size=8), CTX)


def test_mlp_shape_and_init_scale():
    net = MLP(2, 3, [50, 40, 30], activation="relu", init_std=2.0, bias=False)
    linear = [m for m in net.net if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linear] == [50, 40, 30, 3] and all(m.bias is None for m in linear)
    assert net(torch.zeros(5, 2)).shape == (5, 3)
    big = MLP(1, 1, [2000], init_std=1.0)
    assert big.net[2].weight.std().item() == pytest.approx(1 / np.sqrt(2000), rel=0.1)
    with pytest.raises(ValueError, match="allowed"):
        MLP(1, 1, [4], activation="swish")


def test_epoch_sampling_visits_every_sample_once_per_epoch():
    from fprinciple.training import steps_per_epoch
    from fprinciple.training.trainer import _epoch_batch

    n, batch = 50, 8
    per_epoch = steps_per_epoch(n, batch)
    assert per_epoch == 6  # the last partial batch (2 samples) is dropped
    for epoch in range(2):
        seen = torch.cat([_epoch_batch(epoch * per_epoch + i, n, batch, seed=5) for i in range(per_epoch)])
        assert len(set(seen.tolist())) == per_epoch * batch  # no sample twice within an epoch
    first, second = (_epoch_batch(e * per_epoch, n, batch, seed=5) for e in (0, 1))
    assert not torch.equal(first, second)  # reshuffled every epoch
    assert steps_per_epoch(n, None) == steps_per_epoch(n, 64) == 1


def test_resume_with_epoch_sampling_and_nesterov_equals_uninterrupted(tmp_path):
    x = torch.randn(40, 5, generator=torch.Generator().manual_seed(0))
    y = (x[:, 0] > 0).long()
    spec = TrainSpec(
        steps=30,
        lr=0.05,
        optimizer="sgd",
        batch_size=8,
        momentum=0.9,
        nesterov=True,
        loss="cross_entropy",
        sampling="epochs",
        log_every=5,
    )

    def net(seed=0):
        torch.manual_seed(seed)
        return MLP(5, 2, [16])

    reference = train(net(), x, y, spec, CTX, seed=2)
    loss = reference.records.query("metric == 'train_loss' and learner == @TRAINED")["value"].to_numpy()
    assert loss[-1] < 0.7 * loss[0]  # cross-entropy on class indices trains

    def killer(step, _, last):
        if step == 25:
            raise KeyboardInterrupt
        return ()

    ctx = ckpt(tmp_path, every=10)
    with pytest.raises(KeyboardInterrupt):
        train(net(), x, y, spec, ctx, [killer], seed=2)
    resumed = train(net(seed=7), x, y, spec, ctx, seed=2)
    assert resumed.resumed_from == 20
    pd.testing.assert_frame_equal(resumed.records, reference.records)


def test_unknown_sampling_is_rejected():
    x, y = problem()
    with pytest.raises(ValueError, match="sampling"):
        train(model(), x, y, TrainSpec(steps=1, lr=0.1, sampling="shuffle"), CTX)
