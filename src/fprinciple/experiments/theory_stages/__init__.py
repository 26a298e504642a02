"""TEMPORARY (migration): theory_stages."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
