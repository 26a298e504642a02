"""Real MNIST through torchvision, after checking the IDX files ourselves.

torchvision reads ``<root>/MNIST/raw/*-ubyte`` but reports a missing folder as
"Dataset not found" and a truncated file as a bare assertion or reshape error.
Checking each file's magic number, dimensions and size first lets the error name
the bad file and say how to get a good one. ``verify_mnist`` then compares each
file with the SHA-256 of the official release, which catches wrong content of the
right size; rule prepare_data runs it once, so training jobs skip the hashing.
"""

import struct
from pathlib import Path

import numpy as np

from ._common import DatasetError, subsample, verify_checksums
from ._torchvision import import_torchvision

_IMAGES = {True: "train-images-idx3-ubyte", False: "t10k-images-idx3-ubyte"}
_LABELS = {True: "train-labels-idx1-ubyte", False: "t10k-labels-idx1-ubyte"}
_IMAGE_MAGIC, _LABEL_MAGIC = 2051, 2049  # IDX: unsigned bytes, 3 and 1 dimensions
_SIDE = 28
# SHA-256 of the four uncompressed IDX files of the official MNIST release (LeCun, Cortes and
# Burges), i.e. of what torchvision extracts from its downloads; the same values are published by
# many projects. torchvision itself publishes only the md5 of the .gz archives
# (torchvision.datasets.MNIST.resources) and checks those when it downloads; the uncompressed
# files are what every run reads, so they are what we check.
_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
_HOW_TO = (
    "To obtain MNIST, remove any damaged file and rerun with download: true (needs internet), "
    "or point data_root at a folder whose MNIST/raw/ holds the four uncompressed *-ubyte files."
)


def files(root: Path) -> list[Path]:
    """The four IDX files under ``root`` that MNIST reads."""
    return [Path(root) / "MNIST" / "raw" / name for name in (*_IMAGES.values(), *_LABELS.values())]


def load_mnist(
    root: str | Path, train: bool, n: int | None = None, seed: int = 0, download: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST from ``<root>/MNIST/raw/`` as (x, y).

    x is float32 (n, 784) in [0, 1] (pixels / 255, row-major 28x28); y is int64 (n,).
    ``n`` picks a seeded uniform subsample (see ``subsample``); ``None`` keeps the split.
    ``download`` fetches missing files with torchvision; without it nothing leaves the machine.
    Raises DatasetError naming the file when one is missing, truncated or corrupt.
    """
    raw = Path(root) / "MNIST" / "raw"
    tv = import_torchvision()
    if download and not all((raw / name).is_file() for name in (*_IMAGES.values(), *_LABELS.values())):
        try:
            tv.datasets.MNIST(str(root), train=train, download=True)
        except (RuntimeError, OSError) as err:
            raise DatasetError(f"downloading MNIST into {raw} failed: {err}\n{_HOW_TO}") from err
    for split in (True, False):  # torchvision needs all four files even to read one split
        _check_split(raw, split)
    dataset = tv.datasets.MNIST(str(root), train=train, download=False)
    images, labels = subsample(dataset.data.numpy(), dataset.targets.numpy(), n, seed)
    x = images.reshape(len(images), _SIDE * _SIDE).astype(np.float32) / 255
    return x, labels.astype(np.int64)


def verify_mnist(root: str | Path) -> None:
    """Check the four files under ``<root>/MNIST/raw/`` against the published SHA-256 values.

    Run it after ``load_mnist`` has checked that they exist and are well-formed.
    """
    raw = Path(root) / "MNIST" / "raw"
    verify_checksums({raw / name: ("sha256", digest) for name, digest in _SHA256.items()}, _HOW_TO)


def _check_split(raw: Path, train: bool) -> None:
    """Check one split's image and label files agree with each other and their headers."""
    images, labels = raw / _IMAGES[train], raw / _LABELS[train]
    n_images = _check_idx(images, _IMAGE_MAGIC, (_SIDE, _SIDE))
    n_labels = _check_idx(labels, _LABEL_MAGIC, ())
    if n_images != n_labels:
        raise DatasetError(f"{images} holds {n_images} images but {labels} holds {n_labels} labels.\n{_HOW_TO}")
    if np.fromfile(labels, dtype=np.uint8, offset=8).max(initial=0) > 9:
        raise DatasetError(f"{labels} holds labels outside 0-9, so it is corrupt.\n{_HOW_TO}")


def _check_idx(path: Path, magic: int, dims: tuple[int, ...]) -> int:
    """Return the item count of an IDX file after checking magic, dimensions and size."""
    if not path.is_file():
        raise DatasetError(f"MNIST file not found: {path}\n{_HOW_TO}")
    header_size = 4 * (2 + len(dims))
    with path.open("rb") as f:
        header = f.read(header_size)
    if len(header) < header_size or struct.unpack(">I", header[:4])[0] != magic:
        raise DatasetError(f"{path} is not an MNIST IDX file (bad header).\n{_HOW_TO}")
    count, *shape = struct.unpack(f">{1 + len(dims)}I", header[4:])
    if tuple(shape) != dims:
        raise DatasetError(f"{path} holds items of shape {tuple(shape)}, expected {dims}.\n{_HOW_TO}")
    expected = header_size + count * int(np.prod(dims))
    actual = path.stat().st_size
    if actual != expected:
        raise DatasetError(
            f"{path} is truncated or corrupt: {actual} bytes, its header promises {expected}.\n{_HOW_TO}"
        )
    return count
