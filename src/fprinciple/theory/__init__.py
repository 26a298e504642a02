"""Closed-form predictions that experiments are compared against."""
