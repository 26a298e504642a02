"""TEMPORARY (migration): basri_asymptotics."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
