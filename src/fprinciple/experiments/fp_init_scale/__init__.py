"""TEMPORARY (migration): fp_init_scale."""

from .run import PAPER_FIGURE, dataset, datasets  # noqa: F401
