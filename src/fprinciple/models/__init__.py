"""Networks: fully connected MLPs (issue 2); CNNs and VGG-16 come with the real-data experiments."""

from .mlp import ACTIVATIONS, MLP

__all__ = ["ACTIVATIONS", "MLP"]
