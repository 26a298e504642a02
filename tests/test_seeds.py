"""Training one net per seed as a batched ensemble gives what one-at-a-time training gives (up to
float summation order), stops each member at its own loss threshold, resumes a killed ensemble to
identical records, and leaves hooks and controls an ordinary net per seed."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.models import MLP
from fprinciple.training import RunContext, TrainSpec, checkpoint
from fprinciple.training.seeds import Member, batched, train_seeds

SEEDS = [0, 1, 2]
X = torch.linspace(-3, 3, 40)[:, None]
Y = torch.sin(2 * X)


def hook(step, net, last):
    with torch.no_grad():
        yield "output_norm", np.nan, net(X).norm().item()


def members(x=X, y=Y, seeds=SEEDS, classes=None):
    found = []
    for seed in seeds:
        torch.manual_seed(seed)
        out = classes or 1
        xs = x(seed) if callable(x) else x
        found.append(
            Member(seed, MLP(xs.shape[1], out, [16, 16], "tanh"), xs, y(seed) if callable(y) else y, hooks=[hook])
        )
    return found


def run(spec, together, ctx=None, **kwargs):
    return train_seeds(members(**kwargs), spec, ctx or RunContext(), together).records


def assert_same(a: pd.DataFrame, b: pd.DataFrame):
    key = ["seed", "learner", "step", "metric"]
    a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    assert a[key].equals(b[key])
    np.testing.assert_allclose(a["value"], b["value"], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "spec",
    [
        TrainSpec(steps=60, lr=1e-2, optimizer="adam", log_every=20),
        TrainSpec(steps=60, lr=1e-2, optimizer="gd", loss="l4", log_every=20),
        TrainSpec(steps=60, lr=5e-3, optimizer="sgd", momentum=0.9, batch_size=8, log_every=20),
        TrainSpec(steps=60, lr=5e-3, optimizer="sgd", batch_size=8, sampling="epochs", log_every=20),
    ],
    ids=["adam", "gd-l4", "sgd-replacement", "sgd-epochs"],
)
def test_batched_training_equals_one_at_a_time(spec):
    assert_same(run(spec, True), run(spec, False))


def test_each_member_may_train_on_its_own_data_and_classify():
    def x(seed):
        return torch.randn(30, 4, generator=torch.Generator().manual_seed(seed))

    def y(seed):
        return torch.randint(3, (30,), generator=torch.Generator().manual_seed(seed + 7))

    spec = TrainSpec(steps=30, lr=1e-2, optimizer="adam", loss="cross_entropy", batch_size=10, log_every=10)
    data = dict(x=x, y=y, classes=3)
    members_ = members(**data)
    members_ = [Member(m.seed, m.model, m.x, m.y) for m in members_]  # no hook: X has one column
    batched_records = train_seeds(members_, spec, RunContext(), True).records
    sequential = [Member(m.seed, m.model, m.x, m.y) for m in members(**data)]
    assert_same(batched_records, train_seeds(sequential, spec, RunContext(), False).records)


def test_records_carry_each_seed_and_its_own_controls():
    records = run(TrainSpec(steps=20, lr=1e-2, log_every=10), True)
    assert set(records["seed"]) == set(SEEDS) and set(records["learner"]) == {TRAINED, FROZEN, MEAN}
    frozen = records[(records["learner"] == FROZEN) & (records["metric"] == "output_norm")]
    assert frozen.groupby("seed")["value"].nunique().eq(1).all()  # each frozen net never moves
    assert frozen.groupby("seed")["value"].first().nunique() == len(SEEDS)  # each seed its own initial net


def test_every_member_stops_at_its_own_loss_threshold():
    spec = TrainSpec(steps=400, lr=5e-2, optimizer="adam", loss_threshold=0.05, log_every=50)

    def stops(records):
        loss = records[(records["learner"] == TRAINED) & (records["metric"] == "train_loss")]
        return loss.groupby("seed")["step"].max().to_dict()

    batched_stops, sequential_stops = stops(run(spec, True)), stops(run(spec, False))
    assert batched_stops == sequential_stops and len(set(batched_stops.values())) > 1  # members stop apart


def test_a_killed_ensemble_resumes_to_identical_records(tmp_path):
    spec = TrainSpec(steps=60, lr=1e-2, log_every=10)
    ctx = RunContext(checkpoint=tmp_path / "checkpoint.pt", checkpoint_every=20, fingerprint="f")
    whole = run(spec, True)

    def dies_at_50(step, net, last):
        if step == 50:
            raise KeyboardInterrupt
        yield from hook(step, net, last)

    killed = members()
    for m in killed:
        m.hooks = [dies_at_50]
    with pytest.raises(KeyboardInterrupt):
        train_seeds(killed, spec, ctx, True)
    assert checkpoint.read(ctx.checkpoint)["step"] == 40
    resumed = train_seeds(members(), spec, ctx, True)
    assert_same(resumed.records, whole)
    assert resumed.resumed_from == 40
    again = train_seeds(members(), spec, ctx, True)  # finished: the records at once
    assert_same(again.records, whole)


def test_modes():
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert not batched("auto", cpu) and batched("auto", cuda) and batched("batched", cpu)
    assert not batched("sequential", cuda)
    with pytest.raises(ValueError, match="unknown ensemble mode"):
        batched("parallel", cpu)


def test_nets_with_buffers_are_refused_with_the_fix():
    found = members()
    for m in found:
        m.model.register_buffer("running", torch.zeros(1))
    with pytest.raises(ValueError, match="ensemble: sequential"):
        train_seeds(found, TrainSpec(steps=2, lr=1e-2), RunContext(), True)
