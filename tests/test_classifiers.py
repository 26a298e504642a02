"""Image classifiers (small CNN, VGG-16 adapted to 32×32) and the shared classification engine."""

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple.analysis.classify import with_epochs
from fprinciple.engines.classify import (
    Interpolant,
    accuracy_hook,
    fit,
    load_data,
    memo_by_value,
    predict,
)
from fprinciple.models import CLASSIFIERS, SmallCNN, classifier, vgg16
from fprinciple.training import RunContext

# Each kind's full settings (a config gets them from the schema's classifier_net defaults).
DNN = {"hidden": [400, 200], "activation": "relu", "init_std": None, "bias": True, "init": "fan_in"}
SETTINGS = {
    "dnn": DNN,
    "cnn": {"channels": [32, 64], "dense": 400, "activation": "relu", "init": "pytorch"},
    "vgg16": {"width": 1 / 16},
    "resnet18": {"width": 1.0, "blocks_removed": 0},
}


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 32, 32)])
@pytest.mark.parametrize("kind", CLASSIFIERS)
def test_classifiers_take_flat_images(kind, shape):
    torch.manual_seed(0)
    net = classifier(kind, shape, 10, **SETTINGS[kind])
    assert net(torch.rand(3, int(np.prod(shape)))).shape == (3, 10)


def test_small_cnn_matches_the_papers_layers():
    net = SmallCNN((3, 32, 32), 10)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    dense = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert [c.out_channels for c in convs] == [32, 64] and all(c.padding == (0, 0) for c in convs)
    # 32 → 30 → 28 → pool 14: 64·14·14 features into the 400-unit dense layer
    assert (dense[0].in_features, dense[0].out_features, dense[1].out_features) == (64 * 14 * 14, 400, 10)
    with pytest.raises(ValueError, match="6×6"):
        SmallCNN((1, 5, 5), 10)


def test_vgg16_has_thirteen_convolutions_and_a_32x32_head():
    net = vgg16((1, 28, 28), 10)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 13 and convs[0].in_channels == 1 and convs[-1].out_channels == 512
    assert isinstance(net.features[1], torch.nn.Upsample)  # 28×28 resized to 32×32
    assert net.classifier[0].in_features == 512  # five pools take 32×32 to 1×1
    assert not any(isinstance(m, torch.nn.Dropout) for m in net.modules())
    slim = vgg16((3, 32, 32), 10, width=0.125)
    assert [m.out_channels for m in slim.modules() if isinstance(m, torch.nn.Conv2d)][-1] == 64
    assert not any(isinstance(m, torch.nn.Upsample) for m in slim.modules())


def test_unknown_classifier():
    with pytest.raises(ValueError, match="dnn"):
        classifier("resnet", (1, 8, 8), 10)


def test_predict_restores_the_training_mode_and_batches():
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Dropout(0.5))
    x = torch.rand(2500, 4)
    first, second = predict(net, x), predict(net, x)
    assert net.training and first.shape == (2500, 3) and torch.equal(first, second)  # no dropout at eval


def test_fit_logs_accuracy_per_epoch_and_learns_digits():
    torch.manual_seed(0)
    ctx = RunContext(device=torch.device("cpu"), progress=False)
    data = load_data({"dataset": "digits", "n_train": 300, "n_test": 100, "subset_seed": 0}, ctx)
    cfg = {
        "epochs": 4,
        "log_every": 2,
        "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": False, "batch_size": 30},
    }
    result = fit(cfg, {0: classifier("dnn", (1, 8, 8), 10, **(DNN | {"hidden": [64]}))}, data, ctx=ctx)
    metrics = with_epochs(result.records.assign(run="r"))
    accuracy = metrics[metrics["metric"] == "test_accuracy"].pivot(index="epoch", columns="learner", values="value")
    assert list(accuracy.index) == [0, 2, 4] and result.steps == 40
    assert accuracy["trained"][4] > 0.8 > accuracy["trained"][0]
    assert (accuracy["frozen"] == accuracy["trained"][0]).all()  # the initial net, never updated
    majority = np.bincount(data.test.y, minlength=10)[np.bincount(data.train.y, minlength=10).argmax()] / len(
        data.test.y
    )
    assert np.allclose(accuracy["mean"], majority)  # the class prior predicts the majority class
    assert {"train_accuracy", "train_loss", "test_loss", "steps_per_epoch"} <= set(metrics["metric"])


def test_accuracy_hook_counts_correct_predictions():
    net = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        net.weight.copy_(torch.eye(2))
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    rows = dict((m, v) for m, _, v in accuracy_hook({"train": (x, torch.tensor([0, 1, 1, 1]))})(0, net, False))
    assert rows["train_accuracy"] == pytest.approx(0.75)


def test_interpolant_fits_every_training_row_at_the_same_rate():
    x, y = torch.rand(2500, 3), torch.arange(2500) % 4
    even = Interpolant(x, y, 4, steps=10)
    prior = torch.full((4,), 0.25)
    for step, share in ((0, 0.0), (5, 0.5), (10, 1.0), (20, 1.0)):
        probabilities = predict(even.at(step), x).exp()  # predict batches x into row slices
        expected = (1 - share) * prior + share * torch.nn.functional.one_hot(y, 4)
        assert torch.allclose(probabilities, expected, atol=1e-6)
    assert torch.allclose(even.at(10)(x[7:9]).exp(), torch.nn.functional.one_hot(y[7:9], 4).float(), atol=1e-6)
    # any other input (a test set, a gathered minibatch) gets the prior
    assert torch.allclose(even.at(10)(torch.rand(5, 3)).exp(), prior.expand(5, -1))
    assert torch.allclose(even.at(10)(x[[3, 1]]).exp(), prior.expand(2, -1))


def test_memo_by_value_measures_each_distinct_array_once():
    calls = []
    measure = memo_by_value(lambda a: calls.append(1) or a.sum(), size=2)
    a, b, c = np.ones(3), np.zeros(3), np.arange(3.0)
    assert [measure(a), measure(a.copy()), measure(b), measure(a)] == [3, 3, 0, 3] and len(calls) == 2
    measure(c)  # evicts the least recently used (b)
    measure(b)
    assert len(calls) == 4


def test_with_epochs_per_group():
    metrics = pd.DataFrame(
        {
            "run": ["r"] * 4,
            "net": ["a", "a", "b", "b"],
            "metric": ["steps_per_epoch", "x"] * 2,
            "step": [0, 30, 0, 30],
            "value": [10.0, 1.0, 3.0, 1.0],
        }
    )
    assert with_epochs(metrics, by=("run", "net"))["epoch"].tolist() == [0, 3, 0, 10]
