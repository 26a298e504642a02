"""The real-data classification experiments (basri_label_noise, fp_filter, fp_init_scale, fp_projection,
dfp_layers, dfp_resnet): what figures and claims call each dataset. Torch-free, importing neither
side (``fprinciple.datasets`` imports torch through its loaders, and re-exports these)."""

from __future__ import annotations

NAMES = ("mnist", "cifar10", "digits", "cifar_standin", "mnist_standin")
# What figures and claims call each dataset: a stand-in always says what it stands in for.
CAPTIONS = {
    "mnist": "MNIST (real)",
    "cifar10": "CIFAR-10 (real)",
    "digits": "scikit-learn digits 8×8 (offline stand-in for MNIST)",
    "cifar_standin": "scikit-image photo crops 32×32, 10 classes (offline stand-in for CIFAR-10)",
    "mnist_standin": "scikit-learn digits placed in 28×28 images (offline stand-in of MNIST's shape, not MNIST)",
}


def dataset_caption(name: str) -> str:
    """The caption of dataset ``name``, without loading it."""
    if name not in CAPTIONS:
        raise ValueError(f"unknown dataset {name!r}; allowed names: {', '.join(NAMES)}")
    return CAPTIONS[name]
