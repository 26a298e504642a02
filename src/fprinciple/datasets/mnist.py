"""Real MNIST through torchvision, after checking the IDX files ourselves.

torchvision reads ``<root>/MNIST/raw/*-ubyte`` but reports a missing folder as
"Dataset not found" and a truncated file as a bare assertion or reshape error.
Checking each file's magic number, dimensions and size first lets the error name
the bad file and say how to get a good one.
"""

import struct
from pathlib import Path

import numpy as np

from ._common import DatasetError, subsample
from ._torchvision import import_torchvision

_IMAGES = {True: "train-images-idx3-ubyte", False: "t10k-images-idx3-ubyte"}
_LABELS = {True: "train-labels-idx1-ubyte", False: "t10k-labels-idx1-ubyte"}
_IMAGE_MAGIC, _LABEL_MAGIC = 2051, 2049  # IDX: unsigned bytes, 3 and 1 dimensions
_SIDE = 28
_HOW_TO = (
    "To obtain MNIST, remove any damaged file and rerun with download: true (needs internet), "
    "or point data_root at a folder whose MNIST/raw/ holds the four uncompressed *-ubyte files."
)


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


def _check_split(raw: Path, train: bool) -> None:
    """Check one split's image and label files agree with each other and their headers."""
    images, labels = raw / _IMAGES[train], raw / _LABELS[train]
    n_images = _check_idx(images, _IMAGE_MAGIC, (_SIDE, _SIDE))
    n_labels = _check_idx(labels, _LABEL_MAGIC, ())
    if n_images != n_labels:
        raise DatasetError(
            f"{images} holds {n_images} images but {labels} holds {n_labels} labels.\n{_HOW_TO}"
        )
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
