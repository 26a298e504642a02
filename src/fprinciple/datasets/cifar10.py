"""Real CIFAR-10: torchvision downloads it, we read the batch pickles ourselves.

Why not read through ``torchvision.datasets.CIFAR10``: it accepts only files whose md5
matches the official release, so it cannot read test fixtures written in the same
format, and it reports every problem as "Dataset not found or corrupted" without
naming the file. We check each batch's structure instead (uint8 ``data`` of shape
(N, 3072), N ``labels`` in 0-9). The md5 check is also what made torchvision's plain
``pickle.load`` safe; unpickling a file of unknown origin can run arbitrary code, so
our unpickler admits only the few constructors a batch needs (numpy arrays).
Downloads still go through torchvision, which verifies the archive's md5, and
``verify_cifar10`` compares each batch with the md5 torchvision publishes for it; rule
prepare_data runs that once, so training jobs skip the hashing.
"""

import pickle
from pathlib import Path

import numpy as np

from ._common import DatasetError, subsample, verify_checksums
from ._torchvision import import_torchvision

_FOLDER = "cifar-10-batches-py"
_BATCHES = {True: [f"data_batch_{i}" for i in range(1, 6)], False: ["test_batch"]}
_PIXELS = 3 * 32 * 32  # row-major: 1024 red, then 1024 green, then 1024 blue values
_HOW_TO = (
    "To obtain CIFAR-10, rerun with download: true (needs internet; it replaces damaged files), "
    f"or point data_root at a folder holding {_FOLDER}/ from the official python release."
)
# The original batches are Python 2 pickles of numpy arrays; files re-written by
# Python 3 may use the other numpy module path, _codecs.encode (protocol 2) or
# _frombuffer (protocol 5).
_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("_codecs", "encode"),
}


class _BatchUnpickler(pickle.Unpickler):
    """Unpickler that refuses every global except the numpy array constructors."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return super().find_class(module, name)


def files(root: Path) -> list[Path]:
    """The six batch files under ``root`` that CIFAR-10 reads."""
    return [Path(root) / _FOLDER / name for names in _BATCHES.values() for name in names]


def load_cifar10(
    root: str | Path, train: bool, n: int | None = None, seed: int = 0, download: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Load CIFAR-10 from ``<root>/cifar-10-batches-py/`` as (x, y).

    x is float32 (n, 3, 32, 32) in [0, 1], channels R, G, B; y is int64 (n,).
    ``n`` picks a seeded uniform subsample (see ``subsample``); ``None`` keeps the split.
    ``download`` lets torchvision fetch (or repair) the files first.
    Raises DatasetError naming the file when one is missing or not a valid batch.
    """
    folder = Path(root) / _FOLDER
    if download:
        try:
            import_torchvision().datasets.CIFAR10(str(root), train=train, download=True)
        except (RuntimeError, OSError) as err:
            raise DatasetError(f"downloading CIFAR-10 into {folder} failed: {err}\n{_HOW_TO}") from err
    batches = [_read_batch(folder / name) for name in _BATCHES[train]]
    data = np.concatenate([data for data, _ in batches])
    labels = np.concatenate([labels for _, labels in batches])
    data, labels = subsample(data, labels, n, seed)
    return data.reshape(-1, 3, 32, 32).astype(np.float32) / 255, labels


def verify_cifar10(root: str | Path) -> None:
    """Check the six batches under ``<root>/cifar-10-batches-py/`` against torchvision's md5 list.

    The list (``CIFAR10.train_list`` and ``test_list``) is the official release's; the archive
    (``tgz_md5``) is not checked here: no run reads it, and torchvision checks it when it downloads.
    Run this after ``load_cifar10`` has checked that the batches exist and are well-formed.
    """
    published = import_torchvision().datasets.CIFAR10
    folder = Path(root) / _FOLDER
    verify_checksums(
        {folder / name: ("md5", digest) for name, digest in (*published.train_list, *published.test_list)},
        _HOW_TO,
    )


def _read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return one batch's uint8 (N, 3072) pixels and int64 (N,) labels, checked."""
    if not path.is_file():
        raise DatasetError(f"CIFAR-10 file not found: {path}\n{_HOW_TO}")
    try:
        with path.open("rb") as f:
            batch = _BatchUnpickler(f, encoding="bytes").load()
    # A damaged pickle fails in many ways (EOFError, UnpicklingError, ValueError, ...).
    except Exception as err:
        raise DatasetError(f"{path} is not a readable CIFAR-10 batch ({err!r}).\n{_HOW_TO}") from err
    if not isinstance(batch, dict) or not batch.keys() >= {b"data", b"labels"}:
        raise DatasetError(f"{path} lacks the keys b'data' and b'labels' of a CIFAR-10 batch.\n{_HOW_TO}")
    data, labels = batch[b"data"], np.asarray(batch[b"labels"])
    if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2 and data.shape[1] == _PIXELS):
        raise DatasetError(f"{path}: b'data' is not a uint8 array of shape (N, {_PIXELS}).\n{_HOW_TO}")
    if labels.shape != (len(data),) or labels.dtype.kind not in "iu" or not np.all((labels >= 0) & (labels <= 9)):
        raise DatasetError(f"{path}: b'labels' is not {len(data)} integers in 0-9.\n{_HOW_TO}")
    return data, labels.astype(np.int64)
