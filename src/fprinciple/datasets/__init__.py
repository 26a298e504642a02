"""Datasets: real MNIST and CIFAR-10 from files, and offline stand-ins for the quick run.

``load(name, ...)`` is the entry point the experiments use; it returns a ``Dataset``
whose ``name`` is the caption figures must show, so a stand-in is never passed off
as the real dataset.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._common import DatasetError
from .cifar10 import load_cifar10
from .mnist import load_mnist
from .standins import load_camera, load_cifar_standin, load_digits_as_mnist

__all__ = [
    "NAMES",
    "Dataset",
    "DatasetError",
    "load",
    "load_camera",
    "load_cifar10",
    "load_cifar_standin",
    "load_digits_as_mnist",
    "load_mnist",
]

NAMES = ("mnist", "cifar10", "digits", "cifar_standin")


@dataclass(frozen=True, eq=False)  # eq would compare arrays element-wise
class Dataset:
    """Inputs ``x`` (float32 in [0, 1], one row per sample), labels ``y`` (int64) and caption ``name``."""

    x: np.ndarray
    y: np.ndarray
    name: str
    n_classes: int
    input_shape: tuple[int, ...]


def load(
    name: str,
    *,
    root: str | Path | None = None,
    train: bool = True,
    n: int | None = None,
    seed: int = 0,
    download: bool = False,
) -> Dataset:
    """Load dataset ``name`` (one of ``NAMES``); ``n`` samples, or the whole split if None.

    "mnist" and "cifar10" read real files under ``root`` (see ``load_mnist`` and
    ``load_cifar10``). "digits" and "cifar_standin" need no files and ignore ``root``
    and ``download``; "cifar_standin" generates its samples, so it needs ``n``.
    """
    folders = {"mnist": "MNIST/raw/", "cifar10": "cifar-10-batches-py/"}
    if name in folders and root is None:
        raise DatasetError(
            f"{name} reads real files, so it needs a data root: set data_root to the folder that holds "
            f"(or, with download: true, should receive) {folders[name]}"
        )
    if name == "mnist":
        x, y = load_mnist(root, train, n, seed, download)
        return Dataset(x, y, "MNIST (real)", 10, (784,))
    if name == "cifar10":
        x, y = load_cifar10(root, train, n, seed, download)
        return Dataset(x, y, "CIFAR-10 (real)", 10, (3, 32, 32))
    if name == "digits":
        x, y = load_digits_as_mnist(n, seed, train)
        return Dataset(x, y, "scikit-learn digits 8×8 (offline stand-in for MNIST)", 10, (64,))
    if name == "cifar_standin":
        if n is None:
            raise ValueError("cifar_standin generates its samples: give n")
        x, y = load_cifar_standin(n, seed, train=train)
        return Dataset(
            x,
            y,
            "scikit-image photo crops 32×32, 10 classes (offline stand-in for CIFAR-10)",
            10,
            (3, 32, 32),
        )
    raise ValueError(f"unknown dataset {name!r}; allowed names: {', '.join(NAMES)}")
