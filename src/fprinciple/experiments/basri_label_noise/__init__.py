"""TEMPORARY (migration): basri_label_noise."""

from .run import PAPER_FIGURE, dataset, datasets  # noqa: F401
