"""TEMPORARY (migration): dfp_rdf_demo."""

from .run import PAPER_FIGURE, dataset  # noqa: F401
