"""One module per experiment id; the rules are generic over these ids.

Each experiment module provides:

- ``PAPER_FIGURE``: the figure it regenerates (for captions), ``DATASET``: the data it uses
  (a string, or a function of the config when the config picks real data or a stand-in);
- ``runs(cfg) -> {run_id: variant}``: every training job; a variant holds ``seed`` (or ``seeds``
  when one job trains several, whose records then carry a ``seed`` column), and its other
  scalar keys (activation, optimizer, depth, net, ...) become columns of the metrics table;
- ``run(cfg, variant, ctx) -> TrainResult``: train one run and log its metrics;
- ``claims(metrics, cfg, scale) -> list[Claim]``: the paper's claims, computed from metrics;
- optionally ``datasets(cfg) -> list[str]``: the datasets (``fprinciple.datasets.NAMES``) its
  runs read, which the workflow checks (and downloads) once before training.

Its figure is ``fprinciple.figures.<family>.<id>(metrics, cfg)``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import torch

EXPERIMENTS = (
    "fp1d_snapshots",
    "fp1d_step",
    "fp1d_equal_amp",
    "fp1d_robustness",
    "basri_shallow_1d",
    "basri_shallow_2d",
    "basri_deep",
    "basri_superposition",
    "basri_missing_data",
    "basri_asymptotics",
    "fp_projection",
    "fp_filter",
    "fp_image",
    "fp_init_scale",
    "fp_parity",
    "basri_label_noise",
)


@dataclass(frozen=True)
class RunContext:
    """Where and how a run trains: chosen by the workflow, not by the science."""

    device: torch.device
    checkpoint: Path | None = None
    checkpoint_every: int = 0  # steps; 0 = never
    fingerprint: str = ""  # identifies the settings a checkpoint belongs to
    progress: bool = True
    desc: str = ""
    data_root: Path | None = None  # where real datasets live (config data_root)
    download: bool = False  # may torchvision fetch missing datasets into data_root


def get(experiment: str) -> ModuleType:
    if experiment not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {experiment!r}; allowed: {list(EXPERIMENTS)}")
    return importlib.import_module(f"{__name__}.{experiment}")


def datasets_of(experiment: str, cfg: dict) -> list[str]:
    """The datasets an experiment's runs read (none for synthetic targets)."""
    module = get(experiment)
    return sorted(module.datasets(cfg)) if hasattr(module, "datasets") else []


def dataset_caption(experiment: str, cfg: dict) -> str:
    """What the experiment measures on, for figure captions and claim rows."""
    dataset = get(experiment).DATASET
    return dataset(cfg) if callable(dataset) else dataset


def run_id(variant: dict) -> str:
    """A readable, unique folder name for a run, e.g. 'activation-relu_optimizer-gd_seed-0'."""
    return "_".join(f"{key}-{value}" for key, value in variant.items())


def seed_runs(cfg: dict) -> dict[str, dict]:
    """The run list of an experiment whose only variation is the seed."""
    return {run_id({"seed": seed}): {"seed": seed} for seed in cfg["seeds"]}
