"""ResNet-18 with removable residual blocks (XZ20 dfp_resnet) and the activation hooks."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from fprinciple.datasets._torchvision import import_torchvision
from fprinciple.models.activations import linear_layer_names, module_inputs
from fprinciple.models.cnn import classifier
from fprinciple.models.mlp import MLP
from fprinciple.models.resnet import ResNet18

CIFAR = (3, 32, 32)


def residual_blocks(model: nn.Module) -> list[str]:
    block = import_torchvision().models.resnet.BasicBlock
    return [name for name, module in model.named_modules() if isinstance(module, block)]


@pytest.mark.parametrize("removed", range(5))
def test_removing_blocks_keeps_the_head_and_the_output_shape(removed):
    torch.manual_seed(0)
    net = ResNet18(CIFAR, 10, width=1 / 8, blocks_removed=removed)
    blocks = residual_blocks(net)
    assert len(blocks) == 8 - removed
    # the second (shape-preserving) block of the last `removed` stages goes, last stage first
    removed_blocks = {f"features.layer{stage}.1" for stage in range(4, 4 - removed, -1)}
    assert set(blocks) == {f"features.layer{s}.{b}" for s in range(1, 5) for b in range(2)} - removed_blocks
    stage_lengths = [len(getattr(net.features, f"layer{s}")) for s in range(1, 5)]
    assert stage_lengths == [2 - (s > 4 - removed) for s in range(1, 5)]
    x = torch.rand(4, 3 * 32 * 32)
    assert net.features(x).shape == (4, 64)  # 512 / 8 channels after the global pool, whatever is removed
    assert net(x).shape == (4, 10)
    linears = [m for m in net.head if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(64, 64), (64, 64), (64, 10)]


def test_full_width_stages_are_torchvisions_resnet18_blocks():
    reference = import_torchvision().models.resnet18(num_classes=10)
    ours = ResNet18(CIFAR, 10)

    def count(module: nn.Module) -> int:
        return sum(p.numel() for p in module.parameters())

    for stage in ("layer1", "layer2", "layer3", "layer4"):
        assert count(getattr(ours.features, stage)) == count(getattr(reference, stage))
    stem = ours.features.stem[0]
    assert (stem.kernel_size, stem.stride) == ((3, 3), (1, 1))  # 3×3 stride-1 stem for 32×32
    assert not any(isinstance(m, nn.MaxPool2d) for m in ours.modules())


def test_width_scales_the_parameter_count():
    counts = {w: sum(p.numel() for p in ResNet18(CIFAR, 10, width=w).parameters()) for w in (1 / 8, 1 / 4, 1 / 2)}
    # convolutions dominate and scale as width^2
    assert 3.7 < counts[1 / 4] / counts[1 / 8] < 4.0
    assert 3.9 < counts[1 / 2] / counts[1 / 4] < 4.0
    assert ResNet18(CIFAR, 10, width=1 / 8, head_hidden=100).head[0].out_features == 100


def test_initialisation_is_deterministic_under_a_seed():
    def build(seed: int) -> dict:
        torch.manual_seed(seed)
        return ResNet18(CIFAR, 10, width=1 / 8, blocks_removed=2).state_dict()

    first, again, other = build(0), build(0), build(1)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(first["features.layer1.0.conv1.weight"], other["features.layer1.0.conv1.weight"])


def test_registered_as_a_classifier():
    net = classifier("resnet18", (1, 8, 8), 10, width=1 / 16, blocks_removed=3)
    assert isinstance(net, ResNet18) and len(residual_blocks(net)) == 5
    assert net(torch.rand(2, 64)).shape == (2, 10)  # 8×8 digits reach 1×1 at the last stage
    with pytest.raises(ValueError, match="blocks_removed"):
        ResNet18(CIFAR, 10, blocks_removed=5)


def test_mlp_layer_inputs_equal_a_manual_forward():
    torch.manual_seed(0)
    mlp = MLP(784, 10, [32] * 5, activation="relu")
    names = linear_layer_names(mlp)
    assert names == [f"net.{2 * layer}" for layer in range(6)]
    x = torch.rand(23, 784)
    inputs = module_inputs(mlp, x, names, batch_size=7)
    assert [tuple(inputs[n].shape) for n in names] == [(23, 784)] + [(23, 32)] * 5
    with torch.no_grad():
        for layer, name in enumerate(names):
            torch.testing.assert_close(inputs[name], mlp.net[: 2 * layer](x), rtol=0, atol=1e-6)


def test_resnet_head_input_is_the_eval_mode_features():
    torch.manual_seed(0)
    net = ResNet18(CIFAR, 10, width=1 / 8, blocks_removed=1)
    x = torch.rand(12, 3 * 32 * 32)
    net.train()
    net(x)  # move the batch-norm running statistics away from their initial values
    head_input = module_inputs(net, x, [ResNet18.LEARNING_COMPONENT], batch_size=5)["head"]
    assert net.training  # mode restored
    net.eval()
    with torch.no_grad():
        expected = net.features(x)
    assert head_input.shape == (12, 64)
    torch.testing.assert_close(head_input, expected, rtol=1e-5, atol=1e-6)
    net.train()
    with torch.no_grad():
        assert not torch.allclose(net.features(x), expected, atol=1e-3)  # batch statistics differ


def test_hooks_copy_inputs_that_the_module_overwrites():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True))
    x = torch.randn(50, 3)
    captured = module_inputs(net, x, ["1"])["1"]
    with torch.no_grad():
        torch.testing.assert_close(captured, net[0](x))
    assert (captured < 0).any()


def test_unknown_and_repeated_modules_are_refused():
    net = nn.Sequential(nn.Linear(3, 3), nn.Tanh())
    with pytest.raises(KeyError, match="missing"):
        module_inputs(net, torch.rand(4, 3), ["missing"])

    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(3, 3)

        def forward(self, x):
            return self.layer(self.layer(x))

    with pytest.raises(ValueError, match="once per pass"):
        module_inputs(Twice(), torch.rand(4, 3), ["layer"])
