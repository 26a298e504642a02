"""dfp_layers (XZ20's MNIST DNN experiment) and the effective-target engine it shares with dfp_resnet: S[l] read
for the trained net and its controls, the claims on synthetic per-layer k0 (pass, and fail on a
frozen, a constant and a reversed pattern), one tiny end-to-end run, the real-MNIST block."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple.claims import evaluate
from fprinciple.engines import effective_target
from fprinciple.engines.effective_target import layer_inputs, rdf_hook
from fprinciple.experiments.dfp_layers import claims as layers_claims
from fprinciple.experiments.dfp_layers import figure
from fprinciple.models import MLP
from fprinciple.runner import execute
from fprinciple.training.controls import Constant, Frozen, mean_predictor

from .conftest import MNIST_ROOT, load_config, needs_mnist

CFG = {
    "net": {"hidden": [8, 8, 8]},
    "epochs": 40,
    "claims": {"summary": "median", "min_drop": 0.1, "settled_fraction": 0.5},
}


def layer_metrics(history: dict[int, list[list[float]]], epochs=(0, 10, 20, 40)) -> pd.DataFrame:
    """``history[seed][i]``: the median k0 of layers 1, 2, 3 at ``epochs[i]`` (one step per epoch)."""
    rows = []
    for seed, per_epoch in history.items():
        rows.append((0, "steps_per_epoch", np.nan, 1.0, seed))
        for epoch, values in zip(epochs, per_epoch):
            rows += [(epoch, "median_k0", float(layer), v, seed) for layer, v in enumerate(values, start=1)]
    frame = pd.DataFrame(rows, columns=["step", "metric", "key", "value", "seed"])
    return frame.assign(run=frame["seed"].map(lambda s: f"seed-{s}"))


START = [4.0, 4.2, 4.5]  # deeper higher at initialisation, as in the paper
GOOD = [START, [3.9, 3.7, 3.6], [3.8, 3.5, 3.3], [3.7, 3.4, 3.1]]


def verdicts(history) -> list[bool]:
    return [c.passed for c in layers_claims.claims(layer_metrics(history), CFG)]


def test_claims_pass_on_the_paper_pattern():
    claims = layers_claims.claims(layer_metrics({0: GOOD, 1: GOOD}), CFG)
    assert [c.claim for c in claims] == ["deeper_layers_lower_and_stay", "deeper_layers_move_lower"]
    assert [c.passed for c in claims] == [True, True]
    assert "order holds at 2/2 epochs ≥ 20" in claims[0].measured
    # the effect size: the smallest step down between adjacent layers, (3.5 − 3.3)/3.5 at epoch 20
    assert "is +5.7% … +8.1% of the shallower layer's" in claims[0].note


@pytest.mark.parametrize(
    "history,expected",
    [
        ({0: [START] * 4}, [False, False]),  # frozen: nothing moves, deeper stays higher
        ({0: [[3.0, 3.0, 3.0]] * 4}, [False, False]),  # the mean predictor: every S[l] the raw input
        ({0: [START, [3.9, 3.8, 3.9], [3.8, 3.5, 3.6], [3.7, 3.4, 3.1]]}, [False, True]),  # order not held at 20
        ({0: [START, [3.0, 3.3, 3.6], [3.0, 3.4, 3.7], [3.0, 3.5, 3.8]]}, [False, False]),  # the opposite
        ({0: [START, [3.9, 4.0, 4.3], [3.85, 3.95, 4.2], [3.8, 3.9, 4.19]]}, [False, False]),  # small drops
        ({0: GOOD, 1: [START] * 4}, [False, False]),  # one seed that did not learn
        ({0: [START, GOOD[1], GOOD[2], [3.7, 3.4, np.nan]]}, [False, False]),  # a median off the grid
    ],
)
def test_claims_fail(history, expected):
    assert verdicts(history) == expected


def test_an_order_without_the_deeper_layers_moving_further_is_not_a_move():
    # deeper already lower at initialisation and moving less: ordered at the end, drops 0.15, 0.11, 0.09
    already_lower = [[4.0, 3.5, 3.3], [3.6, 3.3, 3.1], [3.5, 3.2, 3.05], [3.4, 3.1, 3.0]]
    assert verdicts({0: already_lower}) == [True, False]
    # drops growing with depth (0.1, 0.19, 0.27) but the deepest below min_drop once it is 0.3
    assert verdicts({0: [START, [3.6, 3.5, 3.4], [3.5, 3.4, 3.3], [3.6, 3.4, 3.3]]}) == [True, True]
    strict = {**CFG, "claims": {**CFG["claims"], "min_drop": 0.3}}
    claims = layers_claims.claims(
        layer_metrics({0: [START, [3.6, 3.5, 3.4], [3.5, 3.4, 3.3], [3.6, 3.4, 3.3]]}), strict
    )
    assert [c.passed for c in claims] == [True, False]


def test_layer_inputs_of_the_trained_net_and_of_its_controls():
    torch.manual_seed(0)
    mlp = MLP(6, 3, [5, 5], activation="relu")
    x, y = torch.randn(20, 6), torch.randint(0, 3, (20,))
    layers = {1: "net.2", 2: "net.4"}
    frozen, constant = Frozen(mlp), mean_predictor(y, "cross_entropy")
    trained = layer_inputs(mlp, x, layers)
    with torch.no_grad():
        torch.testing.assert_close(trained[2], mlp.net[:4](x))
        mlp.net[0].weight.add_(1.0)  # train a little: the frozen copy must not follow
    torch.testing.assert_close(layer_inputs(frozen, x, layers)[2], trained[2])
    assert all(torch.equal(v, x) for v in layer_inputs(constant, x, layers).values())  # no pre-condition
    with pytest.raises(KeyError, match="net.9"):
        layer_inputs(mlp, x, {1: "net.9"})  # a net without the layer is a mistake, not a constant


def test_hook_measures_at_the_chosen_steps_and_unchanging_learners_once(monkeypatch):
    torch.manual_seed(0)
    mlp = MLP(6, 3, [5, 5], activation="relu")
    x, y = torch.randn(30, 6), torch.randint(0, 3, (30,))
    rdf = {"k0": {"min": 1.0, "max": 16.0, "n": 8}, "delta_convention": "std", "normalisation": "rms", "n_samples": 25}
    hook = rdf_hook(x, y, 3, {1: "net.2", 2: "net.4"}, rdf, steps={0, 10})
    assert list(hook(5, mlp, False)) == []
    records = list(hook(5, mlp, True))  # the last step is always measured
    metrics = {name for name, _, _ in records}
    assert {"lfr_S1", "rdf_S2", "median_k0", "mean_k0", "peak_k0"} <= metrics
    torch.manual_seed(1)
    frozen = Frozen(MLP(6, 3, [5, 5], activation="relu"))  # layers unlike mlp's: nothing cached yet
    calls = []
    original = effective_target.frequency_profile
    monkeypatch.setattr(effective_target, "frequency_profile", lambda *a, **k: calls.append(1) or original(*a, **k))
    first, again = list(hook(0, frozen, False)), list(hook(10, frozen, False))
    assert len(calls) == 2 and [r[0] for r in first] == [r[0] for r in again]
    # Equal effective inputs are measured once: the mean predictor's S[1] and S[2] are both the raw
    # input, and mlp's layers, unchanged since step 5, are not measured again.
    calls.clear()
    constant = list(hook(0, Constant(torch.zeros(3)), False))
    assert len(calls) == 1 and {r[0] for r in constant} >= {"lfr_S1", "lfr_S2"}
    hook(10, mlp, False)
    assert len(calls) == 1


def test_a_control_at_a_freed_controls_address_is_measured_anew(monkeypatch):
    """Seeds trained in turn: one seed's frozen net is freed before the next seed's is made and may
    get its address (here every object gets the same one); the new net gets its own records."""
    x, y = torch.randn(30, 6, generator=torch.Generator().manual_seed(0)), torch.arange(30) % 3
    rdf = {"k0": {"min": 1.0, "max": 16.0, "n": 8}, "delta_convention": "std", "normalisation": "rms", "n_samples": 25}
    hook = rdf_hook(x, y, 3, {1: "net.2", 2: "net.4"}, rdf, steps={0})
    monkeypatch.setattr(effective_target, "id", lambda obj: 0, raising=False)

    def medians(seed):
        torch.manual_seed(seed)
        return [
            value
            for name, _, value in hook(0, Frozen(MLP(6, 3, [5, 5], activation="relu")), False)
            if name == "median_k0"
        ]

    assert medians(1) != medians(2)


def tiny_cfg() -> dict:
    return copy.deepcopy(load_config("smoke.yaml")["experiments"]["dfp_layers"])


def test_tiny_run_end_to_end(tmp_path):
    cfg = tiny_cfg()
    metrics = execute("dfp_layers", "seeds-0", cfg, tmp_path, threads=1, progress=False)
    medians = metrics[(metrics["metric"] == "median_k0") & (metrics["learner"] == "trained")]
    assert sorted(medians["key"].unique()) == [1.0, 2.0] and sorted(medians["step"].unique()) == [0, 2, 4]
    frozen = metrics[(metrics["metric"] == "median_k0") & (metrics["learner"] == "frozen")]
    assert frozen.groupby("key")["value"].nunique().eq(1).all()  # the frozen net never moves
    table = evaluate(layers_claims.claims, metrics, cfg, experiment="dfp_layers", scale="smoke", dataset="d")
    assert not table["control_frozen"].any() and not table["control_mean"].any()
    figure.figure(metrics[metrics["learner"] == "trained"], cfg).savefig(tmp_path / "fig.png")


def test_real_mnist_check_runs_dfp_layers_on_mnist():
    block = load_config("mnist.yaml")["experiments"]["dfp_layers"]
    assert block["data"]["dataset"] == "mnist"


@needs_mnist
def test_tiny_run_on_real_mnist(tmp_path):
    cfg = tiny_cfg()
    cfg["data"] = {"dataset": "mnist", "n_train": 100, "n_test": 50, "subset_seed": 0}
    metrics = execute("dfp_layers", "seeds-0", cfg, tmp_path, threads=1, progress=False, data_root=MNIST_ROOT)
    assert metrics["dataset_name"].iloc[0] == "MNIST (real)"
