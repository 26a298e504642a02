"""TEMPORARY (migration): fp_poisson."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
