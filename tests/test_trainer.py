"""The trainer: determinism, resume after a kill, stopping rules, divergence, optimizers."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple.models import MLP
from fprinciple.training import TrainingDiverged, TrainSpec, train


def problem(n=64):
    x = torch.linspace(-np.pi, np.pi, n)[:, None]
    return x, torch.sin(x) + torch.sin(3 * x)


def model(seed=0, **kwargs):
    torch.manual_seed(seed)
    return MLP(1, 1, [32, 32], **kwargs)


def output_hook(x):
    def hook(step, net):
        with torch.no_grad():
            yield "output", x[:, 0].numpy(), net(x)[:, 0].numpy()
    return hook


@pytest.mark.parametrize("optimizer,batch_size", [("gd", None), ("sgd", 16), ("adam", None)])
def test_same_seed_same_metrics(optimizer, batch_size):
    x, y = problem()
    spec = TrainSpec(steps=40, lr=1e-2, optimizer=optimizer, batch_size=batch_size, log_every=10)
    runs = [train(model(), x, y, spec, [output_hook(x)], seed=3, progress=False).records for _ in range(2)]
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert set(runs[0]["step"]) == {0, 10, 20, 30, 40}
    assert list(runs[0].columns) == ["step", "metric", "key", "value"]


def test_training_reduces_the_loss():
    x, y = problem()
    result = train(model(), x, y, TrainSpec(steps=300, lr=3e-3, log_every=100), progress=False)
    loss = result.records.query("metric == 'train_loss'").set_index("step")["value"]
    assert loss[300] < 0.2 * loss[0]


def test_resume_after_kill_equals_uninterrupted(tmp_path):
    x, y = problem()
    spec = TrainSpec(steps=60, lr=1e-2, optimizer="sgd", batch_size=16, momentum=0.9, log_every=10, checkpoint_every=20)
    reference = train(model(), x, y, spec, [output_hook(x)], seed=1, progress=False)

    class Killed(Exception):
        pass

    def killer(step, net):
        if step == 50:
            raise Killed  # dies after the checkpoint at step 40
        return ()

    checkpoint = tmp_path / "checkpoint.pt"
    with pytest.raises(Killed):
        train(model(), x, y, spec, [output_hook(x), killer], seed=1, checkpoint=checkpoint, fingerprint="a", progress=False)
    assert checkpoint.exists()
    resumed = train(model(seed=99), x, y, spec, [output_hook(x)], seed=1, checkpoint=checkpoint, fingerprint="a", progress=False)
    assert resumed.resumed_from == 40
    pd.testing.assert_frame_equal(resumed.records, reference.records)


def test_checkpoint_of_other_settings_is_not_resumed(tmp_path):
    x, y = problem()
    spec = TrainSpec(steps=20, lr=1e-2, log_every=10, checkpoint_every=10)
    checkpoint = tmp_path / "checkpoint.pt"
    train(model(), x, y, spec, seed=0, checkpoint=checkpoint, fingerprint="old", progress=False)
    result = train(model(), x, y, spec, seed=0, checkpoint=checkpoint, fingerprint="new", progress=False)
    assert result.resumed_from == 0


def test_loss_threshold_stops_at_first_step_below():
    x, y = problem()
    spec = TrainSpec(steps=5000, lr=3e-3, loss_threshold=0.05, log_every=1000)
    result = train(model(), x, y, spec, progress=False)
    assert result.stopped_by == "loss_threshold" and result.steps < 5000
    loss = result.records.query("metric == 'train_loss'").set_index("step")["value"]
    assert loss[result.steps] < 0.05 and loss[0] >= 0.05


def test_nan_stops_with_a_clear_message():
    x, y = problem()
    with pytest.raises(TrainingDiverged, match="lower the learning rate"):
        train(model(), x, y, TrainSpec(steps=50, lr=1e6, optimizer="gd", log_every=5), progress=False)


def test_gd_rejects_minibatches():
    x, y = problem()
    with pytest.raises(ValueError, match="full-batch"):
        train(model(), x, y, TrainSpec(steps=1, lr=0.1, optimizer="gd", batch_size=8), progress=False)


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
    spec = TrainSpec(steps=30, lr=0.05, optimizer="sgd", batch_size=8, momentum=0.9, nesterov=True,
                     loss="cross_entropy", sampling="epochs", log_every=5, checkpoint_every=10)

    def net(seed=0):
        torch.manual_seed(seed)
        return MLP(5, 2, [16])

    reference = train(net(), x, y, spec, seed=2, progress=False)
    loss = reference.records.query("metric == 'train_loss'")["value"].to_numpy()
    assert loss[-1] < 0.7 * loss[0]  # cross-entropy on class indices trains

    def killer(step, _):
        if step == 25:
            raise KeyboardInterrupt
        return ()

    checkpoint = tmp_path / "checkpoint.pt"
    with pytest.raises(KeyboardInterrupt):
        train(net(), x, y, spec, [killer], seed=2, checkpoint=checkpoint, fingerprint="a", progress=False)
    resumed = train(net(seed=7), x, y, spec, seed=2, checkpoint=checkpoint, fingerprint="a", progress=False)
    assert resumed.resumed_from == 20
    pd.testing.assert_frame_equal(resumed.records, reference.records)


def test_unknown_sampling_is_rejected():
    x, y = problem()
    with pytest.raises(ValueError, match="sampling"):
        train(model(), x, y, TrainSpec(steps=1, lr=0.1, sampling="shuffle"), progress=False)
