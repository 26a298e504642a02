"""TEMPORARY (migration): basri_shallow_2d."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
