"""TEMPORARY (migration): dfp_resnet."""

from .run import PAPER_FIGURE, dataset, datasets  # noqa: F401
