"""TEMPORARY (migration): basri_superposition."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
