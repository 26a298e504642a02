"""TEMPORARY (migration): dfp_depth."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
