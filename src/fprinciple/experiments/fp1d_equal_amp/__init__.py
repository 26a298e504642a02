"""TEMPORARY (migration): fp1d_equal_amp."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
