"""Datasets: real MNIST and CIFAR-10 from files, and offline stand-ins for the quick run.

``load(name, ...)`` is the entry point the experiments use; it returns a ``Dataset``
whose ``name`` is the caption figures must show, so a stand-in is never passed off
as the real dataset.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..families.classify import CAPTIONS, NAMES
from ..families.classify import dataset_caption as caption
from ._common import DatasetError
from .cifar10 import files as cifar10_files
from .cifar10 import load_cifar10, verify_cifar10
from .mnist import files as mnist_files
from .mnist import load_mnist, verify_mnist

# The offline stand-ins (module ``standins``) are imported when one is loaded: scikit-learn and
# scikit-image would add ~1.5 s of start-up to every training job, most of which never read them.

__all__ = [
    "CAPTIONS",
    "NAMES",
    "Dataset",
    "DatasetError",
    "caption",
    "load",
    "load_cifar10",
    "load_mnist",
    "prepare",
    "present",
]

# The stand-ins that generate as many samples as asked for (so they need n).
GENERATED = ("cifar_standin", "mnist_standin")
# The stand-in of each real dataset with its tensor shapes and any split size: what a
# paper-scale rehearsal runs where the real files are absent (fprinciple.rehearsal).
SAME_SHAPE_STANDINS = {"mnist": "mnist_standin", "cifar10": "cifar_standin"}


def present(name: str, root: str | Path | None) -> bool:
    """Whether every file real dataset ``name`` reads is under ``root`` (existence only: the
    loaders check their structure, rule prepare_data their checksums)."""
    listing = {"mnist": mnist_files, "cifar10": cifar10_files}[name]
    return root is not None and all(path.is_file() for path in listing(Path(root)))


@dataclass(frozen=True, eq=False)  # eq would compare arrays element-wise
class Dataset:
    """Flattened inputs ``x`` (float32 in [0, 1], one row per sample), labels ``y`` (int64) and
    caption ``name``; ``image_shape`` (channels, height, width) un-flattens a row for a CNN.

    Flat rows are what fully connected nets, the projection and the filtering method all take.
    """

    x: np.ndarray
    y: np.ndarray
    name: str
    n_classes: int
    image_shape: tuple[int, int, int]


def load(
    name: str,
    *,
    root: str | Path | None = None,
    train: bool = True,
    n: int | None = None,
    seed: int | None = 0,
    download: bool = False,
) -> Dataset:
    """Load dataset ``name`` (one of ``NAMES``); ``n`` samples, or the whole split if None
    (``seed`` picks them; None: the first ``n``).

    "mnist" and "cifar10" read real files under ``root`` (see ``load_mnist`` and
    ``load_cifar10``). The stand-ins need no files and ignore ``root`` and ``download``; those
    that generate their samples (``GENERATED``) need ``n``.
    """
    folders = {"mnist": "MNIST/raw/", "cifar10": "cifar-10-batches-py/"}
    if name in folders and root is None:
        raise DatasetError(
            f"{name} reads real files, so it needs a data root: set data_root to the folder that holds "
            f"(or, with download: true, should receive) {folders[name]}"
        )
    if name == "mnist":
        x, y = load_mnist(root, train, n, seed, download)
        return Dataset(x, y, CAPTIONS[name], 10, (1, 28, 28))
    if name == "cifar10":
        x, y = load_cifar10(root, train, n, seed, download)
        return Dataset(x.reshape(len(x), -1), y, CAPTIONS[name], 10, (3, 32, 32))
    if name == "digits":
        from .standins import load_digits_as_mnist

        x, y = load_digits_as_mnist(n, seed, train)
        return Dataset(x, y, CAPTIONS[name], 10, (1, 8, 8))
    if name in GENERATED and n is None:
        raise ValueError(f"{name} generates its samples: give n")
    if name in GENERATED and seed is None:  # generated samples have no file order to take the first n of
        seed = 0
    if name == "mnist_standin":
        from .standins import load_mnist_standin

        x, y = load_mnist_standin(n, seed, train)
        return Dataset(x, y, CAPTIONS[name], 10, (1, 28, 28))
    if name == "cifar_standin":
        from .standins import load_cifar_standin

        x, y = load_cifar_standin(n, seed, train=train)
        return Dataset(x.reshape(len(x), -1), y, CAPTIONS[name], 10, (3, 32, 32))
    raise ValueError(f"unknown dataset {name!r}; allowed names: {', '.join(NAMES)}")


def prepare(name: str, root: str | Path | None = None, download: bool = False) -> dict:
    """Check (and with ``download``, fetch) both splits of dataset ``name`` once, before any run
    reads it; returns a summary for the workflow's record (results/data/<name>.json).

    Parallel training jobs then only read: no two of them race to download the same archive.
    Only here are the real files compared with the published checksums (a fraction of a second
    for MNIST), so each training job's load stays fast. A stand-in has no files; its summary says so.
    """
    sizes = {}
    for split, train in (("train", True), ("test", False)):
        # The stand-in generator needs a size; a small one checks that scikit-image's photos load.
        dataset = load(name, root=root, train=train, n=10 if name in GENERATED else None, download=download)
        sizes[split] = None if name in GENERATED else len(dataset.y)
    # After loading, which names a missing or malformed file more precisely than a checksum can.
    if name == "mnist":
        verify_mnist(root)
    elif name == "cifar10":
        verify_cifar10(root)
    return {
        "dataset": name,
        "caption": dataset.name,
        "image_shape": list(dataset.image_shape),
        "samples": sizes,
        "root": str(root) if name in ("mnist", "cifar10") else None,
    }
