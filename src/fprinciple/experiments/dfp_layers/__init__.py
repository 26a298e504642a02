"""TEMPORARY (migration): dfp_layers."""

from .run import PAPER_FIGURE, dataset, datasets  # noqa: F401
