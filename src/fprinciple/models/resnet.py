"""ResNet-18 for 32×32 images with removable residual blocks (XZ20, dfp_resnet).

XZ20 (as its authors summarise it): ResNet-18 on CIFAR-10, "the fully connected layers kept unchanged, the number of
residual (convolution) blocks changed", −1 … −4 meaning one to four fewer blocks, and "the last
three layers" as the learning component. Our reading, as built here:

* torchvision's ``BasicBlock`` (two 3×3 convolutions with batch norm, identity or 1×1-projection
  shortcut), 4 stages × 2 blocks of 64, 128, 256, 512 channels (times ``width``), strides 1, 2, 2, 2.
* Adapted to 32×32 inputs as usual for CIFAR-10: a 3×3 stride-1 stem without max-pool (the
  ImageNet 7×7 stride-2 stem and pool would shrink 32×32 to 8×8 before the first block). The
  global average pool makes any input size work (8×8 digits reach 1×1 at the last stage).
* ``blocks_removed = r`` removes the second block of the last ``r`` stages, last stage first
  (``layer4[1]``, then ``layer3[1]``, ``layer2[1]``, ``layer1[1]``): those blocks are
  shape-preserving (stride 1, same channels), so every stage keeps its down-sampling block, the
  feature map stays (512·width)×4×4 and the head's input keeps its size: the fully connected
  layers are literally the same. Removing a down-sampling block instead would change the head.
* The head is three linear layers, ``C → H → H → classes`` with ReLU between (``H = head_hidden``,
  by default ``C`` = the last stage's channels), so that "the last three layers" (the learning
  component) is exactly the fully connected part; its input (module ``head``) is the effective
  input of S[−3]. torchvision's single ``fc`` has no three fully connected layers; the widths are
  **(unconfirmed)**: XZ20 gives none.

Inputs arrive flattened (n, C·H·W), like every classifier in ``models.cnn``. Initialisation as
torchvision's ResNet (Kaiming-normal fan-out convolutions, batch norm 1/0); the head keeps
PyTorch's default (see ``models.cnn.vgg16`` for why).
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from ..datasets._torchvision import import_torchvision

STAGE_CHANNELS = (64, 128, 256, 512)
BLOCKS_PER_STAGE = 2
MAX_BLOCKS_REMOVED = len(STAGE_CHANNELS)


class ResNet18(nn.Module):
    """``features`` (stem, ``layer1`` … ``layer4``, global average pool, flatten) then ``head``
    (the three fully connected layers: the learning component, ``LEARNING_COMPONENT``)."""

    LEARNING_COMPONENT = "head"

    def __init__(
        self,
        image_shape: tuple[int, int, int],
        n_classes: int,
        width: float = 1.0,
        blocks_removed: int = 0,
        head_hidden: int | None = None,
    ):
        super().__init__()
        if not 0 <= blocks_removed <= MAX_BLOCKS_REMOVED:
            raise ValueError(f"blocks_removed must be in 0..{MAX_BLOCKS_REMOVED}, got {blocks_removed}")
        resnet = import_torchvision().models.resnet
        channels = [max(1, round(c * width)) for c in STAGE_CHANNELS]
        layers: OrderedDict[str, nn.Module] = OrderedDict(
            unflatten=nn.Unflatten(1, image_shape),
            stem=nn.Sequential(
                resnet.conv3x3(image_shape[0], channels[0]), nn.BatchNorm2d(channels[0]), nn.ReLU(inplace=True)
            ),
        )
        in_channels = channels[0]
        first_shortened = len(STAGE_CHANNELS) - blocks_removed
        for stage, out_channels in enumerate(channels):
            stride = 1 if stage == 0 else 2
            shortcut = None
            if stride != 1 or in_channels != out_channels:
                shortcut = nn.Sequential(
                    resnet.conv1x1(in_channels, out_channels, stride), nn.BatchNorm2d(out_channels)
                )
            blocks = [resnet.BasicBlock(in_channels, out_channels, stride, shortcut)]
            n_blocks = BLOCKS_PER_STAGE - 1 if stage >= first_shortened else BLOCKS_PER_STAGE
            blocks += [resnet.BasicBlock(out_channels, out_channels) for _ in range(n_blocks - 1)]
            layers[f"layer{stage + 1}"] = nn.Sequential(*blocks)
            in_channels = out_channels
        layers["pool"] = nn.AdaptiveAvgPool2d(1)
        layers["flatten"] = nn.Flatten()
        self.features = nn.Sequential(layers)
        hidden = head_hidden or in_channels
        self.head = nn.Sequential(
            nn.Linear(in_channels, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )
        for module in self.features.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        return self.head(self.features(x))
