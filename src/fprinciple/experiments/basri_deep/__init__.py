"""TEMPORARY (migration): basri_deep."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
