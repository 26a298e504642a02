"""TEMPORARY (migration): fp_filter."""

from .run import PAPER_FIGURE, dataset, datasets  # noqa: F401
