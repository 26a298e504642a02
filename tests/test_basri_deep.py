"""basri_deep's residual task as the authors ran it (Deep/crossRes10_1D): the sign of
sin(k(θ + φ)) on the points where |sin| > 2/3, two logits, cross-entropy, full-batch GD stopped
at CE < 0.05. The data, the two-logit net, the padded ensemble against one member at a time,
GD against a plain PyTorch reference, and the claims on the run's own controls."""

import copy
import math

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims as claims_table
from fprinciple.engines import sweep
from fprinciple.experiments.basri_deep import claims as deep_claims
from fprinciple.experiments.basri_deep import run as deep_run
from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.models import kaiming_mlp
from fprinciple.training import RunContext
from fprinciple.training.ensemble import LearningTimeSpec, learning_times


@pytest.fixture
def cfg(quick_config):
    return copy.deepcopy(quick_config["experiments"]["basri_deep"])


def _small(cfg: dict, ks=(1, 2, 3), seeds=(0, 1, 2, 3, 4), n=64, hidden=(16, 16, 16), cap=3000) -> dict:
    cfg = copy.deepcopy(cfg)
    cfg.update(seeds=list(seeds), k_max=max(ks), k_per_job=len(ks), log_every=1)
    cfg["points"]["n"] = n
    cfg["nets"] = {"residual": {**cfg["nets"]["residual"], "hidden": list(hidden), "cap": cap}}
    cfg["claims"] = {"k_min": 1, "slope": 2.0, "slope_tolerance": 0.5, "notes": {}}
    return cfg


def test_classification_keeps_the_confident_points_and_labels_their_sign(cfg):
    residual, plain = cfg["nets"]["residual"], cfg["nets"]["plain"]
    x_all, y_all = deep_run.data(np.random.default_rng([0, 3]), 3, cfg, plain)
    x, labels = deep_run.data(np.random.default_rng([0, 3]), 3, cfg, residual)
    kept = np.abs(y_all) > 2 / 3
    np.testing.assert_array_equal(x, x_all[kept])  # the same points and phase as the regression, filtered
    np.testing.assert_array_equal(labels, (y_all[kept] > 0).astype(float))
    assert 0.4 < kept.mean() < 0.7  # |sin| > 2/3 on a share 1 − (2/π) arcsin(2/3) = 0.54 of the circle
    assert set(np.unique(labels)) == {0.0, 1.0}


def test_two_logit_net_outputs_logits_and_keeps_one_output_nets_unchanged():
    def generators():
        return [torch.Generator().manual_seed(s) for s in (3, 7)]

    x = torch.randn(2, 5, 2)
    logits = kaiming_mlp(generators(), 2, [8, 8], residual=True, outputs=2)
    assert logits(x).shape == (2, 5, 2)
    assert logits.readout.shape == (2, 8, 2)
    alone = kaiming_mlp([torch.Generator().manual_seed(7)], 2, [8, 8], residual=True, outputs=2)
    torch.testing.assert_close(alone(x[1:]), logits(x)[1:])  # a member's init does not depend on its batch
    assert kaiming_mlp(generators(), 2, [8, 8])(x).shape == (2, 5)


def _reference_losses(model, x: np.ndarray, labels: np.ndarray, lr: float, steps: int) -> list[float]:
    """GD on one member with nn.Linear layers, nn.CrossEntropyLoss and optim.SGD: the authors'
    recipe written with PyTorch's own modules, from the member's initial weights."""
    layers = [torch.nn.Linear(w.shape[1], w.shape[2]) for w in model.weights]
    out = torch.nn.Linear(model.readout.shape[1], 2, bias=False)
    with torch.no_grad():
        for layer, w, b in zip(layers, model.weights, model.biases):
            layer.weight.copy_(w[0].T)
            layer.bias.copy_(b[0])
        out.weight.copy_(model.readout[0].T)
    params = [p for layer in [*layers, out] for p in layer.parameters()]
    optimizer = torch.optim.SGD(params, lr=lr)
    xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(labels).long()

    def forward():
        h = xt
        for i, layer in enumerate(layers):
            h = torch.relu(layer(h)) + (h if i > 0 else 0)
        return torch.nn.functional.cross_entropy(out(h), yt)

    losses = []
    for _ in range(steps):
        loss = forward()
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def test_gd_on_cross_entropy_matches_a_plain_pytorch_run(cfg):
    net = {**cfg["nets"]["residual"], "hidden": [16, 16, 16]}
    x, labels = deep_run.data(np.random.default_rng([0, 2]), 2, cfg, net)
    model = deep_run.build([torch.Generator().manual_seed(0)], cfg, net)
    reference = _reference_losses(copy.deepcopy(model), x, labels, lr=0.05, steps=30)
    spec = LearningTimeSpec(lr=0.05, cap=29, loss="cross_entropy", threshold=1e-9, log_every=1)
    result = learning_times(
        model,
        torch.tensor(x[None], dtype=torch.float32),
        torch.tensor(labels[None], dtype=torch.float32),
        spec,
        RunContext(progress=False),
    )
    rows = result.records
    ours = rows[(rows["metric"] == "train_loss") & (rows["learner"] == TRAINED)].sort_values("step")["value"]
    np.testing.assert_allclose(ours.to_numpy(), reference, rtol=1e-4)
    zero = rows[(rows["metric"] == "zero_loss") & (rows["learner"] == TRAINED)]["value"].iloc[0]
    assert zero == pytest.approx(math.log(2))  # two equal logits


def _times(result) -> pd.Series:
    rows = result.records
    return (
        rows[(rows["metric"] == "learning_time") & (rows["learner"] == TRAINED)]
        .set_index(["k", "seed"])["value"]
        .sort_index()
    )


def test_padded_ensemble_learns_each_member_as_alone(cfg):
    """Members keep different numbers of points: padded and weighted, the batched ensemble gives
    every member the learning time it has trained alone on its own points."""
    small = _small(cfg, ks=(1, 2, 3), seeds=(0, 1))
    variant = {"net": "residual", "ks": [1, 2, 3], "seeds": [0, 1]}
    sizes = {
        len(deep_run.data(np.random.default_rng([s, k]), k, small, small["nets"]["residual"])[1])
        for k in (1, 2, 3)
        for s in (0, 1)
    }
    assert len(sizes) > 1  # the padding is exercised
    batched = deep_run.run({**small, "ensemble": "batched"}, variant, RunContext(progress=False))
    alone = pd.concat(
        [
            _times(deep_run.run(small, {"net": "residual", "ks": [k], "seeds": [s]}, RunContext(progress=False)))
            for k in (1, 2, 3)
            for s in (0, 1)
        ]
    )  # one member per run: no padding
    assert _times(batched).notna().all()
    pd.testing.assert_series_equal(_times(batched), alone)


def test_padding_weights_count_only_a_members_points():
    stacked, weights = sweep.padded([np.ones(3), np.ones(5)])
    assert stacked.shape == (2, 5) and weights.tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]
    same, none = sweep.padded([np.ones(4), np.zeros(4)])
    assert none is None and same.shape == (2, 4)


@pytest.mark.parametrize("loss", ["half_sse", "mse", "cross_entropy"])
def test_padded_loss_and_controls_equal_the_unpadded_ones(loss):
    """Padding with junk outputs and targets changes no member's loss, f = 0 loss or mean
    predictor loss."""
    from fprinciple.training.ensemble import _constant_outputs, _member_loss

    torch.manual_seed(0)
    classes = (2,) if loss == "cross_entropy" else ()
    out, y = torch.randn(1, 5, *classes), torch.tensor([[1.0, 0.0, 1.0, 1.0, 0.0]])
    padded_out = torch.cat([out, 9 * torch.ones(1, 3, *classes)], dim=1)
    padded_y, weights = torch.cat([y, torch.zeros(1, 3)], dim=1), torch.tensor([[1.0] * 5 + [0.0] * 3])
    torch.testing.assert_close(_member_loss(loss, padded_out, padded_y, weights), _member_loss(loss, out, y))
    alone = [_member_loss(loss, c, y) for c in _constant_outputs(loss, out, y, None)]
    padded = [_member_loss(loss, c, padded_y, weights) for c in _constant_outputs(loss, padded_out, padded_y, weights)]
    torch.testing.assert_close(padded, alone)
    if loss == "cross_entropy":  # f = 0: ln 2; class frequencies 3/5, 2/5: their entropy
        torch.testing.assert_close(
            alone, [torch.tensor([math.log(2)]), torch.tensor([-(0.6 * math.log(0.6) + 0.4 * math.log(0.4))])]
        )


def test_residual_claims_hold_on_the_run_and_fail_on_its_controls(cfg):
    """A small run of the classification task: every k is learned, its controls (frozen net,
    class-frequency predictor: CE ≈ ln 2) never are, so every row fails on them."""
    small = _small(cfg)
    result = deep_run.run(
        small, {"net": "residual", "ks": [1, 2, 3], "seeds": small["seeds"]}, RunContext(progress=False)
    )
    metrics = result.records.assign(net="residual", experiment="basri_deep", run="r", key=np.nan)
    controls = metrics[(metrics["learner"] != TRAINED) & (metrics["metric"] == "final_loss")]["value"]
    assert (controls > 0.6).all()  # ≈ ln 2: a constant prediction of a balanced sign
    table = claims_table.evaluate(
        deep_claims.claims, metrics, small, experiment="basri_deep", scale="test", dataset="-"
    ).set_index("claim")
    assert table.loc["every_k_learned_residual", "passed"]
    assert not table["control_frozen"].any() and not table["control_mean"].any()
    for learner in (FROZEN, MEAN):
        on_control = {c.claim: c.passed for c in deep_claims.claims(metrics[metrics["learner"] == learner], small)}
        assert not any(on_control.values()), (learner, on_control)
