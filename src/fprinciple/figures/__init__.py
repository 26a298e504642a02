"""Seaborn figures, one function per experiment id (same name), one shared style."""

from __future__ import annotations

import importlib
from collections.abc import Callable

FAMILIES = {
    "fp1d": ("fp1d_snapshots", "fp1d_step", "fp1d_equal_amp", "fp1d_robustness"),
    "basri_sweeps": ("basri_shallow_1d", "basri_shallow_2d", "basri_deep"),
    "basri_fits": ("basri_superposition", "basri_missing_data"),
    "basri_theory": ("basri_asymptotics",),
    "fp_projection": ("fp_projection",),
    "fp_filter": ("fp_filter",),
    "fp_image": ("fp_image",),
    "fp_init_scale": ("fp_init_scale",),
    "fp_parity": ("fp_parity",),
    "basri_label_noise": ("basri_label_noise",),
}


def get(experiment: str) -> Callable:
    for family, experiments in FAMILIES.items():
        if experiment in experiments:
            return getattr(importlib.import_module(f"{__name__}.{family}"), experiment)
    raise ValueError(f"no figure for experiment {experiment!r}")
