"""Networks: fully connected MLPs and batched ensembles of them; CNNs and VGG-16 come with the
real-data experiments."""

from .ensemble import EnsembleMLP, basri_shallow, kaiming_mlp
from .mlp import ACTIVATIONS, MLP

__all__ = ["ACTIVATIONS", "MLP", "EnsembleMLP", "basri_shallow", "kaiming_mlp"]
