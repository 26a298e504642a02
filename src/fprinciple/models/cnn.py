"""Image classifiers of the real-data experiments (XZLXM19 figs. 3 and 4).

All take flattened images (one row per sample, as datasets return them, and as the projection
and filtering methods see them) and un-flatten them to ``image_shape`` = (channels, height,
width) first, so one training loop serves fully connected nets and CNNs alike.
"""

from __future__ import annotations

from torch import nn

from ..datasets._torchvision import import_torchvision
from .mlp import ACTIVATIONS, MLP
from .resnet import ResNet18

CLASSIFIERS = ("dnn", "cnn", "vgg16", "resnet18")
CNN_INITS = ("pytorch", "xavier_uniform")
VGG_SIDE = 32  # VGG-16's five 2x2 pools take 32x32 inputs down to 1x1


class SmallCNN(nn.Module):
    """The papers' small CNN: conv32 → conv64 → 2×2 max-pool → dense → logits (the softmax is
    in the loss). 3×3 kernels without padding (Keras' default "valid"), ReLU, PyTorch's default
    initialisation. **(code)** for CIFAR-10 in the authors' filtering code; MNIST uses the same.
    ``init="xavier_uniform"`` draws every weight Xavier-uniform (biases keep PyTorch's default),
    as the authors' projection notebook does."""

    def __init__(
        self,
        image_shape: tuple[int, int, int],
        n_classes: int,
        channels: tuple[int, int] = (32, 64),
        dense: int = 400,
        activation: str = "relu",
        init: str = "pytorch",
    ):
        super().__init__()
        if init not in CNN_INITS:
            raise ValueError(f"unknown init {init!r}; allowed: {list(CNN_INITS)}")
        c, h, w = image_shape
        act = ACTIVATIONS[activation]
        side_h, side_w = (h - 4) // 2, (w - 4) // 2
        if min(side_h, side_w) < 1:
            raise ValueError(f"SmallCNN needs images of at least 6×6 pixels, got {h}×{w}")
        self.net = nn.Sequential(
            nn.Unflatten(1, image_shape),
            nn.Conv2d(c, channels[0], 3),
            act(),
            nn.Conv2d(channels[0], channels[1], 3),
            act(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(channels[1] * side_h * side_w, dense),
            act(),
            nn.Linear(dense, n_classes),
        )
        if init == "xavier_uniform":
            for layer in self.net:
                if isinstance(layer, (nn.Conv2d, nn.Linear)):
                    nn.init.xavier_uniform_(layer.weight)

    def forward(self, x):
        return self.net(x)


def vgg16(image_shape: tuple[int, int, int], n_classes: int, width: float = 1.0) -> nn.Module:
    """torchvision's VGG-16 (configuration "D": 13 3×3 convolutions, 5 max-pools), adapted to
    32×32 inputs as is usual for CIFAR-10.

    Adaptations: images of another size are resized to 32×32 (bilinear) first; the 7×7 adaptive
    pool and the 25088→4096→4096 head (made for 224×224 ImageNet) become a flatten of the 512
    final features and a 512→512→512→classes head, without dropout so that the metrics logged
    during training see the same function that is trained. ``width`` scales every channel count
    (the quick scale uses 1/8). Convolutions keep torchvision's Kaiming initialisation; the head
    keeps PyTorch's default, not torchvision's N(0, 0.01) (made for 4096-wide layers: in a
    64-wide head it shrinks the signal ~2000× and the net does not learn).
    """
    tv = import_torchvision()
    vgg_module = tv.models.vgg
    c, h, w = image_shape
    layers: list[nn.Module] = [nn.Unflatten(1, image_shape)]
    if (h, w) != (VGG_SIDE, VGG_SIDE):
        layers.append(nn.Upsample(size=(VGG_SIDE, VGG_SIDE), mode="bilinear", align_corners=False))
    in_channels = c
    for entry in vgg_module.cfgs["D"]:
        if entry == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            out_channels = max(1, round(entry * width))
            layers += [nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True)]
            in_channels = out_channels
    model = vgg_module.VGG(nn.Sequential(*layers), num_classes=n_classes, init_weights=True)
    hidden = max(1, round(512 * width))
    model.avgpool = nn.Identity()
    model.classifier = nn.Sequential(
        nn.Linear(in_channels, hidden),
        nn.ReLU(True),
        nn.Linear(hidden, hidden),
        nn.ReLU(True),
        nn.Linear(hidden, n_classes),
    )
    return model


def classifier(name: str, image_shape: tuple[int, int, int], n_classes: int, **settings) -> nn.Module:
    """Build classifier ``name`` (one of ``CLASSIFIERS``) for flattened images of ``image_shape``.

    ``settings`` are the net's config block, its defaults filled from the schema's ``classifier_net``
    (workflow/schemas/config.schema.yaml): dnn: hidden, activation, init_std, bias, init (see MLP);
    cnn: channels, dense, activation, init; vgg16: width; resnet18: width, blocks_removed and
    optionally head_hidden.
    """
    c, h, w = image_shape
    if name == "dnn":
        return MLP(
            c * h * w,
            n_classes,
            settings["hidden"],
            settings["activation"],
            settings["init_std"],
            settings["bias"],
            settings["init"],
        )
    if name == "cnn":
        return SmallCNN(
            image_shape,
            n_classes,
            tuple(settings["channels"]),
            settings["dense"],
            settings["activation"],
            settings["init"],
        )
    if name == "vgg16":
        return vgg16(image_shape, n_classes, settings["width"])
    if name == "resnet18":
        return ResNet18(
            image_shape,
            n_classes,
            settings["width"],
            settings["blocks_removed"],
            settings.get("head_hidden"),
        )
    raise ValueError(f"unknown classifier {name!r}; allowed: {list(CLASSIFIERS)}")
