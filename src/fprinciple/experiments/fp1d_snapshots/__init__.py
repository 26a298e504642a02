"""TEMPORARY (migration): fp1d_snapshots."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
