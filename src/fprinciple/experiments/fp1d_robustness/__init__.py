"""TEMPORARY (migration): fp1d_robustness."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
