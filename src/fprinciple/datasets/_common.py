"""Pieces shared by the loaders: the error type and the seeded subsample."""

import numpy as np


class DatasetError(Exception):
    """A dataset's files are missing, truncated or corrupt.

    The message names the offending file and says how to obtain a good copy, so a
    failed run can be fixed from the error alone.
    """


def subsample(x: np.ndarray, y: np.ndarray, n: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` samples drawn uniformly at random without replacement, in file order.

    Uniform rather than class-balanced: it keeps the dataset's own class proportions.
    The indices are the first ``n`` of one seeded permutation, so for a fixed seed a
    smaller subset is always contained in a larger one. ``n=None`` returns everything.
    """
    if n is None:
        return x, y
    if not 1 <= n <= len(y):
        raise ValueError(f"n must be between 1 and {len(y)}, got {n}")
    idx = np.sort(np.random.default_rng(seed).permutation(len(y))[:n])
    return x[idx], y[idx]
