"""One module per experiment id, found by id: the rules are generic over these modules.

Each experiment module (``experiments/<id>.py``) provides:

- ``PAPER_FIGURE``: the figure it regenerates (for captions);
- ``dataset(cfg) -> str``: what it measures on, for captions and claim rows (a stand-in says so);
- ``runs(cfg) -> {run_id: variant}``: every training job (``grid``, ``seed_runs`` and
  ``seed_jobs`` build them); a variant holds ``seed`` (or ``seeds`` when one job trains
  several, whose records then carry a ``seed`` column), and its other scalar entries become
  columns of the metrics table;
- ``run(cfg, variant, ctx) -> TrainResult``: train one run and log its metrics, for the trained
  network and its negative controls (``training.controls``; the trainer logs them itself);
- ``claims(metrics, cfg) -> list[Claim]``: the paper's claims computed from the metrics of one
  learner (``claims.evaluate`` runs it on the trained network and on each control);
- optionally ``datasets(cfg) -> list[str]``: the real datasets (``fprinciple.datasets.NAMES``) its
  runs read, which the workflow checks (and downloads) once before training.

Its figure is ``fprinciple.figures.<id>.figure(metrics, cfg)``, its caption
``workflow/report/<id>.rst``, its schema ``workflow/schemas/experiments/<id>.schema.yaml``, its
documentation ``docs/experiments/<id>.md``; ``fprinciple.consistency`` names any that is missing.
Engines shared by several experiments live in ``fprinciple.engines``.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
from types import ModuleType


def ids() -> tuple[str, ...]:
    """Every experiment id: the modules of this package (names starting with "_" are helpers)."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


def get(experiment: str) -> ModuleType:
    if experiment not in ids():
        raise ValueError(f"unknown experiment {experiment!r}; known: {', '.join(ids())}")
    return importlib.import_module(f"{__name__}.{experiment}")


def datasets_of(experiment: str, cfg: dict) -> list[str]:
    """The datasets an experiment's runs read (none for synthetic targets)."""
    module = get(experiment)
    return sorted(module.datasets(cfg)) if hasattr(module, "datasets") else []


def run_id(variant: dict) -> str:
    """A readable, unique folder name for a run, e.g. 'activation-relu_optimizer-gd_seed-0'."""
    return "_".join(f"{key}-{value}" for key, value in variant.items())


def grid(**axes) -> dict[str, dict]:
    """One run per combination of the axes' values, in the given order: e.g.
    ``grid(target=["parity", "majority"], seed=[0, 1])`` gives runs 'target-parity_seed-0', ..."""
    variants = [dict(zip(axes, values)) for values in itertools.product(*axes.values())]
    return {run_id(variant): variant for variant in variants}


def seed_runs(cfg: dict) -> dict[str, dict]:
    """The run list of an experiment whose only variation is the seed: one job per seed."""
    return grid(seed=cfg["seeds"])


def seeds_label(seeds) -> str:
    """A job's seeds in its run id: '0-to-19' for consecutive seeds, else each ('0-3-7')."""
    seeds = [int(s) for s in seeds]
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}-to-{seeds[-1]}"
    return "-".join(map(str, seeds))


def seed_jobs(cfg: dict, **axes) -> dict[str, dict]:
    """One job per combination of the axes' values and block of ``seeds_per_job`` seeds (default:
    every seed in one job): small nets train their seeds together, or at least share one Python
    start-up, while a cluster can split a long experiment seed by seed."""
    seeds = list(cfg["seeds"])
    size = cfg.get("seeds_per_job") or len(seeds)
    blocks = [seeds[i : i + size] for i in range(0, len(seeds), size)]
    return {
        f"{run_id(variant)}{'_' if variant else ''}seeds-{seeds_label(block)}": {**variant, "seeds": block}
        for variant in grid(**axes).values()
        for block in blocks
    }
