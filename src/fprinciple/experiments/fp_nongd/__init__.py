"""TEMPORARY (migration): fp_nongd."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
