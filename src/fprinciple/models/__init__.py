"""Networks: fully connected MLPs and batched ensembles of them, the papers' small CNN and
VGG-16 for the real-data experiments."""

from .cnn import CLASSIFIERS, SmallCNN, classifier, vgg16
from .ensemble import EnsembleMLP, basri_shallow, kaiming_mlp
from .mlp import ACTIVATIONS, INITS, MLP, authors_relu_net, evaluate

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "CLASSIFIERS",
    "MLP",
    "SmallCNN",
    "authors_relu_net",
    "classifier",
    "evaluate",
    "EnsembleMLP",
    "basri_shallow",
    "kaiming_mlp",
    "vgg16",
]
