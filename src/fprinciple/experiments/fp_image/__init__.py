"""TEMPORARY (migration): fp_image."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
