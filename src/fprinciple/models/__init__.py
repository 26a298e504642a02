"""Networks: fully connected MLPs and batched ensembles of them; CNNs and VGG-16 come with the
real-data experiments."""

from .ensemble import EnsembleMLP, basri_shallow, kaiming_mlp
from .mlp import ACTIVATIONS, MLP, authors_relu_net, evaluate

__all__ = ["ACTIVATIONS", "MLP", "authors_relu_net", "evaluate", "EnsembleMLP", "basri_shallow", "kaiming_mlp"]
