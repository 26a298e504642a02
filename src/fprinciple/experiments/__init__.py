"""One folder per experiment id, found by id: the rules are generic over these folders.

``experiments/<id>/`` holds one experiment whole (docs/architecture.md, "An experiment"):

- ``__init__.py``: what it is, for captions and claim rows, importing neither torch nor pandas:
  ``PAPER_FIGURE`` (the figure it regenerates), ``dataset(cfg) -> str`` (what it measures on; a
  stand-in says so) and optionally ``datasets(cfg) -> list[str]`` (the real datasets,
  ``fprinciple.datasets.NAMES``, its runs read, which the workflow checks once before training);
- ``run.py``, the run side (torch): ``runs(cfg) -> {run_id: variant}``, every training job
  (``grid``, ``seed_runs`` and ``seed_jobs`` build them; a variant holds ``seed``, or ``seeds``
  when one job trains several, and its other scalar entries become metrics columns), and
  ``run(cfg, variant, ctx) -> TrainResult``, which trains one run and logs its metrics for the
  trained network and its negative controls;
- ``claims.py``, the analysis side (pandas and numpy, never the run side or torch):
  ``claims(metrics, cfg) -> list[Claim]``, the paper's claims computed from one learner's
  metrics (``fprinciple.claims.evaluate`` runs it on the trained network and on each control);
- ``figure.py``: ``figure(metrics, cfg)``, importing the analysis side, never the trainer;
- ``config.yaml`` (its settings, one section per scale), ``schema.yaml`` (its keys and their
  defaults), optionally ``checks.py`` (its own rules across keys: ``problems(path, block)``),
  ``caption.rst`` (the report's caption) and ``README.md`` (its documentation page).

Each job depends on its own side only (``fprinciple.sources``): a claim or figure edit never
retrains. ``fprinciple.consistency`` names any piece that is missing; ``python3 run.py new <id>``
writes a working folder to start from. Code several experiments share lives in
``fprinciple.engines`` (run side), ``fprinciple.analysis`` (analysis side) and
``fprinciple.figures`` (drawing).
"""

from __future__ import annotations

import importlib
import itertools
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parent
PARTS = ("run", "claims", "figure")  # the modules of an experiment folder, by side


def ids() -> tuple[str, ...]:
    """Every experiment id: the folders of this package holding an ``__init__.py``."""
    return tuple(sorted(p.parent.name for p in FOLDER.glob("*/__init__.py") if not p.parent.name.startswith("_")))


def folder(experiment: str) -> Path:
    """The experiment's folder (config.yaml, schema.yaml, caption.rst, README.md and its code)."""
    if experiment not in ids():
        raise ValueError(f"unknown experiment {experiment!r}; known: {', '.join(ids())}")
    return FOLDER / experiment


def get(experiment: str) -> ModuleType:
    """The experiment's package: PAPER_FIGURE, dataset(cfg) and, if it reads real data, datasets(cfg)."""
    folder(experiment)
    return importlib.import_module(f"{__name__}.{experiment}")


def part(experiment: str, name: str) -> ModuleType:
    """One side of the experiment: ``run`` (runs, run), ``claims`` (claims) or ``figure`` (figure)."""
    if name not in PARTS:
        raise ValueError(f"unknown part {name!r} of an experiment; known: {', '.join(PARTS)}")
    folder(experiment)
    return importlib.import_module(f"{__name__}.{experiment}.{name}")


def module_name(experiment: str, name: str) -> str:
    """The dotted name of an experiment's part, for ``fprinciple.sources``."""
    return f"{__name__}.{experiment}.{name}"


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
