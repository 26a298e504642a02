"""Pieces shared by the loaders: the error type, the checksum check and the seeded subsample."""

import hashlib
from pathlib import Path

import numpy as np

from ..errors import UserError


class DatasetError(UserError):
    """A dataset's files are missing, truncated or corrupt.

    The message names the offending file and says how to obtain a good copy, so a
    failed run can be fixed from the error alone.
    """


def verify_checksums(published: dict[Path, tuple[str, str]], how_to: str) -> None:
    """Raise DatasetError naming the first file whose digest differs from its published one.

    ``published`` maps each file to (hashlib algorithm, hex digest). The structural checks of
    the loaders catch truncated files and bad headers; only a checksum catches a file of the
    right size with wrong content. The files must exist (the loaders check that first).
    """
    for path, (algorithm, expected) in published.items():
        with path.open("rb") as f:
            actual = hashlib.file_digest(f, algorithm).hexdigest()
        if actual != expected:
            raise DatasetError(
                f"{path} does not match the published {algorithm} checksum of the official release, "
                f"so its content is damaged or from another dataset (expected {expected}, got {actual}).\n"
                f"{how_to}"
            )


def subsample(x: np.ndarray, y: np.ndarray, n: int | None, seed: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` samples drawn uniformly at random without replacement, in file order.

    Uniform rather than class-balanced: it keeps the dataset's own class proportions.
    The indices are the first ``n`` of one seeded permutation, so for a fixed seed a
    smaller subset is always contained in a larger one. ``seed=None`` takes the first ``n``
    in file order (as ``Subset(range(n))`` in the authors' code); ``n=None`` returns everything.
    """
    if n is None:
        return x, y
    if not 1 <= n <= len(y):
        raise ValueError(f"n must be between 1 and {len(y)}, got {n}")
    if seed is None:
        return x[:n], y[:n]
    idx = np.sort(np.random.default_rng(seed).permutation(len(y))[:n])
    return x[idx], y[idx]
