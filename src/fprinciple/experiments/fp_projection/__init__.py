"""TEMPORARY (migration): fp_projection."""

from .run import PAPER_FIGURE, dataset, datasets  # noqa: F401
