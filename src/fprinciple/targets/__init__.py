"""Synthetic targets and domains."""
