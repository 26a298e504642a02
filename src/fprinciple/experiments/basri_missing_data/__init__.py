"""TEMPORARY (migration): basri_missing_data."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
