"""TEMPORARY (migration)."""

from .run import claims  # noqa: F401
