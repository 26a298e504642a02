"""TEMPORARY (migration): basri_shallow_1d."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
