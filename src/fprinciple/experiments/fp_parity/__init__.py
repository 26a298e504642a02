"""TEMPORARY (migration): fp_parity."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
