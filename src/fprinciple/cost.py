"""The cost table: CPU core-hours (and GPU-hours) of a config's full run, estimated from its
rehearsal (``fprinciple.rehearsal``), and the SLURM ``runtime_min`` each experiment needs.

Model, for each job of the full run (every run of every experiment, at every seed), from the
rehearsal job of the same variant (its first seed):

    cost = start-up + f × Σ_loops (t_step × planned_steps + t_first_log + t_log × (planned_logs − 1))

- start-up: the rehearsal job's CPU seconds outside its training loops (interpreter, imports,
  data, model, writing the results);
- per training loop (``training.timing.LoopTiming``; a job may run several, e.g. one per
  optimizer): t_step = its CPU seconds outside logging per step trained, t_first_log = its first
  log (which also measures the controls whose output is then cached), t_log = each later log;
- planned_steps and planned_logs: those of the untruncated settings (the bound; the expected
  cost: below);
- f: the seeds the full job trains ÷ the seeds its rehearsal trained (1 for one-seed jobs; a
  job that trains every seed at once, e.g. a Basri ensemble, scales with them).

Core-hours are CPU seconds (``time.process_time``: every thread) / 3600. A job without a training
loop (exact theory) runs in full in the rehearsal: its cost is what it measured. GPU-hours: the
same model on wall seconds, for a rehearsal that ran on a GPU (interpreter start-up not
included). Records grow with the logs; their handling after the loop is counted as start-up, at
the rehearsal's size.

Bound and expected. Where a stopping rule (a loss threshold, learned members, an optimizer's
tolerance: ``LoopTiming.may_stop_early``) may end a loop before its planned steps, the cost at
planned steps is an upper bound (``*_bound``). The expected cost (``*_expected``) prices such a
loop at a share s of its planned steps (and of its periodic logs, the first always counted; a
sweep's per-batch set-ups, ``LoopTiming.fixed_logs``, all), by the first rule
that applies to its job (``expected_from``):

- "closed form": the experiment's ``expected_updates(cfg, variant)`` (its ``__init__.py``; the
  shallow Basri sweeps: Σ over the job's k and seeds of min(t_k, cap), t_k the linearised
  learning time ``theory.basri.predicted_learning_time``, ``families.sweep.expected_updates``),
  s = that ÷ the job's planned steps. A mode that never contracts counts its cap: λ_k = 0 (never
  learned: it trains to the cap) or lr·n·λ_k ≥ 2 (e.g. k = 1 with bias at the paper's lr·n, where
  the linear dynamics are unstable: the rule cannot price it). Known error: it assumes a zero
  initial output; a random init (the paper's) adds the removal of the initial function;
- "quick run": s = Σ steps ÷ Σ planned steps over the loops that may stop early of the quick
  scale's run of the same variant (its settings other than seeds and frequencies), else of all
  the experiment's quick runs ("quick runs (all)"; ``results/quick/runs/<experiment>/*/meta.json``).
  Known error: the share is the quick scale's settings' (fewer, lower frequencies, other caps and
  tolerances), not the papers';
- "no prediction": no quick run to read: s = 1, expected = bound;
- a loop that cannot stop early runs its planned steps (s = 1).

SLURM ``runtime_min`` of an experiment, a safe bound: ``RUNTIME_SAFETY`` × its longest job's bound
seconds ÷ its threads (wall on a GPU when one was measured), rounded up to 5 minutes, at least
``RUNTIME_FLOOR_MIN``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from . import experiments

# Covers cluster cores slower than the rehearsal's, threads that do not scale perfectly, and the
# model's own error (measured 1.0–1.3 × on fully run experiments; docs in README.md).
RUNTIME_SAFETY = 3.0
RUNTIME_FLOOR_MIN = 10  # a job's queue, start-up and result writing on a shared file system
TOTAL = "total"  # the experiment column of the whole-DAG row

# The hours, each priced at the planned steps (bound) and at the expected ones.
HOURS = (
    "cpu_core_hours_bound",
    "cpu_core_hours_expected",
    "gpu_hours_bound",
    "gpu_hours_expected",
    "longest_job_cpu_h_bound",
    "longest_job_cpu_h_expected",
)
COLUMNS = [
    "experiment",
    "jobs",
    "seeds",
    "planned_steps",
    "expected_steps",
    "expected_from",
    "planned_logs",
    "startup_cpu_s",
    "step_cpu_s",
    "log_cpu_s",
    *HOURS,
    "threads",
    "runtime_min",
    "config_runtime_min",
    "rehearsal_cpu_s",
    "device",
    "data",
]


def _identity(variant: dict, drop: tuple[str, ...] = ("seed", "seeds")) -> str:
    """A variant without its seed(s): what a full run shares with its rehearsal."""
    return json.dumps({k: v for k, v in variant.items() if k not in drop}, sort_keys=True, default=str)


def _kind(variant: dict) -> str:
    """A variant without its seeds and frequencies: what a full run shares with its quick run."""
    return _identity(variant, ("seed", "seeds", "ks"))


def _seed_count(variant: dict) -> int:
    return len(variant["seeds"]) if "seeds" in variant else 1


def plan(module: ModuleType, full_cfg: dict, rehearsed_cfg: dict) -> list[tuple[str, str, float]]:
    """(full run, its rehearsal run, seed factor f) for every run of ``full_cfg``; ``module`` is the
    experiment's run side (``experiments.part(id, "run")``)."""
    rehearsed = {}
    for run, variant in module.runs(rehearsed_cfg).items():
        rehearsed.setdefault(_identity(variant), (run, _seed_count(variant)))
    rows = []
    for run, variant in module.runs(full_cfg).items():
        key = _identity(variant)
        if key not in rehearsed:
            raise ValueError(f"{module.__name__}: run {run!r} has no rehearsal run with the same variant {key}")
        rehearsal_run, seeds = rehearsed[key]
        rows.append((run, rehearsal_run, _seed_count(variant) / seeds))
    return rows


ALL = ""  # quick_shares' key of all an experiment's quick runs together


def quick_metas(runs: Path, experiment: str) -> list[dict]:
    """The meta.json of an experiment's untruncated runs under ``runs`` (a quick scale's runs/)."""
    metas = [json.loads(path.read_text()) for path in sorted((Path(runs) / experiment).glob("*/meta.json"))]
    return [meta for meta in metas if meta.get("max_steps") is None]


def quick_shares(metas: Iterable[dict]) -> dict[str, float]:
    """The share of their planned steps that the loops which may stop early trained, in a quick
    scale's runs (their meta.json): by variant kind (``_kind``), and ``ALL`` over every run."""
    done: dict[str, list[float]] = {}
    for meta in metas:
        loops = [t for t in meta.get("timings", []) if t.get("may_stop_early")]
        for key in (_kind(meta["variant"]), ALL):
            steps = done.setdefault(key, [0.0, 0.0])
            steps[0] += sum(t["steps"] for t in loops)
            steps[1] += sum(t["planned_steps"] for t in loops)
    return {key: min(steps / planned, 1.0) for key, (steps, planned) in done.items() if planned}


def expected_share(meta: dict, factor: float, variant: dict, closed_form, quick: dict[str, float]) -> tuple[float, str]:
    """The share of their planned steps that a full job's loops which may stop early are expected
    to train, and the rule that gave it (module docstring): ``meta`` its rehearsal's meta.json,
    ``closed_form(variant)`` its expected member-updates or None (or no ``closed_form``),
    ``quick`` from ``quick_shares``."""
    stopping = [t for t in meta.get("timings", []) if t.get("may_stop_early")]
    if not stopping:
        return 1.0, "cannot stop early"
    updates = closed_form(variant) if closed_form is not None else None
    if updates is not None:
        planned = factor * sum(t["planned_steps"] for t in stopping)
        return min(updates / planned, 1.0) if planned else 1.0, "closed form"
    if _kind(variant) in quick:
        return quick[_kind(variant)], "quick run"
    if ALL in quick:
        return quick[ALL], "quick runs (all)"
    return 1.0, "no prediction"


def predictions(
    experiment: str, full_cfg: dict, jobs: list[tuple[str, str, float]], metas: dict[str, dict], quick: Path | None
) -> list[tuple[float, str]]:
    """Each job's ``expected_share`` (``jobs`` from ``plan``, ``metas`` the rehearsal's by run id):
    by the experiment's closed form where its package has ``expected_updates``, else by the
    quick scale's runs in the results folder ``quick`` (None or absent: no prediction)."""
    variants = experiments.part(experiment, "run").runs(full_cfg)
    closed = getattr(experiments.get(experiment), "expected_updates", None)
    closed_form = None if closed is None else functools.partial(closed, full_cfg)
    shares = quick_shares(quick_metas(Path(quick) / "runs", experiment)) if quick else {}
    return [
        expected_share(metas[rehearsal], factor, variants[run], closed_form, shares) for run, rehearsal, factor in jobs
    ]


def loop_seconds(timing: dict, clock: str = "cpu", share: float = 1.0) -> dict[str, float]:
    """A rehearsed loop's planned seconds, split into steps and logs (clock "cpu" or "wall"), at
    ``share`` of its planned steps and logs (the first log always; every log where they are fixed)."""
    total, log, first = timing[f"{clock}_s"], timing[f"log_{clock}_s"], timing[f"first_log_{clock}_s"]
    per_step = (total - log) / timing["steps"] if timing["steps"] else 0.0
    # A full log: what was measured plus what a rehearsal's evaluation subset skipped.
    log, first = log + timing[f"skipped_log_{clock}_s"], first + timing[f"skipped_first_log_{clock}_s"]
    later = (log - first) / (timing["logs"] - 1) if timing["logs"] > 1 else first
    log_share = 1.0 if timing.get("fixed_logs") else share  # a sweep sets up every batch, learned or not
    planned_logs = max(log_share * timing["planned_logs"], 1.0) if timing["planned_logs"] else 0.0
    logs = first + later * (planned_logs - 1) if planned_logs else 0.0
    return {"steps": per_step * share * timing["planned_steps"], "logs": logs}


def job_seconds(meta: dict, factor: float, clock: str = "cpu", share: float = 1.0) -> dict[str, float]:
    """One full job's estimated seconds (start-up, steps, logs) from its rehearsal's meta.json, its
    loops that may stop early at ``share`` of their planned steps (1: the bound)."""
    timings = meta.get("timings", [])
    whole = meta["process_cpu_s"] if clock == "cpu" else meta["wall_s"]
    loops = [loop_seconds(t, clock, share if t.get("may_stop_early") else 1.0) for t in timings]
    return {
        "startup": max(whole - sum(t[f"{clock}_s"] for t in timings), 0.0),
        "steps": factor * sum(loop["steps"] for loop in loops),
        "logs": factor * sum(loop["logs"] for loop in loops),
    }


def runtime_min(seconds: float, threads: int) -> int:
    """SLURM minutes for a job estimated at ``seconds`` (CPU seconds over ``threads``, or wall)."""
    minutes = RUNTIME_SAFETY * seconds / max(threads, 1) / 60
    return max(RUNTIME_FLOOR_MIN, 5 * math.ceil(minutes / 5))


def experiment_row(
    experiment: str,
    jobs: list[tuple[str, str, float]],
    metas: dict[str, dict],
    resources: dict,
    seeds: int,
    data: str,
    predictions: list[tuple[float, str]] | None = None,
) -> dict:
    """The cost table's row of one experiment: ``jobs`` from ``plan``, ``metas`` its rehearsal
    runs' meta.json by run id, ``resources`` its effective train resources, ``seeds`` the full
    config's, ``data`` what the rehearsal trained on, ``predictions`` each job's
    ``expected_share`` (none: every loop at its planned steps, "no prediction")."""
    if predictions is None:
        predictions = [expected_share(metas[rehearsal], factor, {}, None, {}) for _, rehearsal, factor in jobs]
    on_gpu = all(meta["device"].startswith("cuda") for meta in metas.values())

    def seconds(clock: str, expected: bool) -> list[float]:
        return [
            sum(job_seconds(metas[rehearsal], factor, clock, share if expected else 1.0).values())
            for (_, rehearsal, factor), (share, _) in zip(jobs, predictions)
        ]

    cpu = [job_seconds(metas[rehearsal], factor) for _, rehearsal, factor in jobs]
    job_cpu, job_cpu_expected = [sum(parts.values()) for parts in cpu], seconds("cpu", True)
    wall, wall_expected = (seconds("wall", False), seconds("wall", True)) if on_gpu else ([], [])
    loops = [
        (t, factor, share if t.get("may_stop_early") else 1.0)
        for (_, rehearsal, factor), (share, _) in zip(jobs, predictions)
        for t in metas[rehearsal].get("timings", [])
    ]
    if on_gpu:
        minutes = runtime_min(max(wall), threads=1)
    else:
        minutes = runtime_min(max(job_cpu), resources["threads"])
    return {
        "experiment": experiment,
        "jobs": len(jobs),
        "seeds": seeds,
        "planned_steps": int(sum(factor * t["planned_steps"] for t, factor, _ in loops)),
        "expected_steps": int(sum(share * factor * t["planned_steps"] for t, factor, share in loops)),
        "expected_from": ", ".join(sorted({rule for _, rule in predictions})),
        "planned_logs": int(sum(factor * t["planned_logs"] for t, factor, _ in loops)),
        "startup_cpu_s": sum(parts["startup"] for parts in cpu),
        "step_cpu_s": sum(parts["steps"] for parts in cpu),
        "log_cpu_s": sum(parts["logs"] for parts in cpu),
        "cpu_core_hours_bound": sum(job_cpu) / 3600,
        "cpu_core_hours_expected": sum(job_cpu_expected) / 3600,
        "gpu_hours_bound": sum(wall) / 3600 if on_gpu else np.nan,
        "gpu_hours_expected": sum(wall_expected) / 3600 if on_gpu else np.nan,
        "longest_job_cpu_h_bound": max(job_cpu) / 3600,
        "longest_job_cpu_h_expected": max(job_cpu_expected) / 3600,
        "threads": int(resources["threads"]),
        "runtime_min": minutes,
        "config_runtime_min": int(resources["runtime_min"]),
        "rehearsal_cpu_s": sum(meta["process_cpu_s"] for meta in metas.values()),
        "device": ", ".join(sorted({meta["device"] for meta in metas.values()})),
        "data": data,
    }


def table(rows: Iterable[dict]) -> pd.DataFrame:
    """The per-experiment rows, most expensive (bound) first, and the whole DAG's ``TOTAL`` row."""
    frame = pd.DataFrame(list(rows), columns=COLUMNS).sort_values("cpu_core_hours_bound", ascending=False)
    summed = [
        "jobs",
        "planned_steps",
        "expected_steps",
        "planned_logs",
        "startup_cpu_s",
        "step_cpu_s",
        "log_cpu_s",
        "cpu_core_hours_bound",
        "cpu_core_hours_expected",
        "rehearsal_cpu_s",
    ]
    total = {
        "experiment": TOTAL,
        **{c: frame[c].sum() for c in summed},
        **{
            c: frame[c].sum(min_count=len(frame)) if len(frame) else np.nan
            for c in ("gpu_hours_bound", "gpu_hours_expected")
        },
        **{c: frame[c].max() for c in ("longest_job_cpu_h_bound", "longest_job_cpu_h_expected")},
        "device": ", ".join(sorted(set(frame["device"]))),
    }
    whole = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)[COLUMNS]
    counts = [
        "jobs",
        "seeds",
        "planned_steps",
        "expected_steps",
        "planned_logs",
        "threads",
        "runtime_min",
        "config_runtime_min",
    ]
    return whole.astype({column: "Int64" for column in counts})  # the total row has no seeds, threads, ...


CAPTION = (
    "Estimated cost of the full run, from the rehearsal's measured CPU seconds. Per job: start-up + "
    "f × Σ over its training loops (t_step × steps + first log + t_log × (logs − 1)), "
    "with t_step (CPU seconds per step, logging excluded), t_log (per log) and start-up (CPU outside the "
    "loops) measured on the rehearsal job of the same variant, and f = seeds of the full job ÷ seeds "
    "rehearsed; summed over runs and seeds. Core-hours = CPU seconds (all threads) / 3600. *_bound: "
    "every loop at its planned steps and logs (those of the untruncated settings), an upper bound where "
    "a stopping rule (loss threshold, learned members, an optimizer's tolerance) may end a loop early. "
    "*_expected: such loops at their expected steps (expected_steps), by expected_from: "
    '"closed form" (the experiment\'s closed-form learning times, capped; it assumes a zero initial '
    'output), "quick run" (the share of planned steps the quick scale\'s run of the same variant trained; '
    '"(all)": of all its runs), "no prediction" (no quick run: expected = bound); a loop that cannot stop '
    "early runs its planned steps. step_cpu_s and log_cpu_s: the bound's. GPU-hours only where the "
    "rehearsal ran on a GPU. runtime_min (SLURM, from the bound): {safety:g} × the longest job's CPU "
    "seconds ÷ its threads, rounded up to 5 min, at least {floor} min; config_runtime_min: what the "
    "config asks for."
)


def machine() -> str:
    """Where the rehearsal ran, for the table: CPU model and cores (cost tables differ by machine)."""
    cpuinfo = Path("/proc/cpuinfo")
    model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
        if cpuinfo.exists()
        else ""
    )
    return f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def caption() -> str:
    return CAPTION.format(safety=RUNTIME_SAFETY, floor=RUNTIME_FLOOR_MIN)


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.copy()
    for column in ("startup_cpu_s", "step_cpu_s", "log_cpu_s", "rehearsal_cpu_s"):
        shown[column] = shown[column].map(lambda v: f"{v:,.0f}")
    for column in HOURS:
        shown[column] = shown[column].map(lambda v: "—" if pd.isna(v) else f"{v:,.3g}")
    for column in ("seeds", "threads", "runtime_min", "config_runtime_min"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{int(v)}")
    for column in ("planned_steps", "expected_steps", "planned_logs"):
        shown[column] = shown[column].map(lambda v: f"{int(v):,}")
    return shown.fillna("")


def markdown(frame: pd.DataFrame, measured_on: str) -> str:
    """cost.md: the caption, the table and where the rehearsal was measured."""
    shown = _shown(frame)
    header = "| " + " | ".join(shown.columns) + " |"
    rule = "|" + "|".join("---" for _ in shown.columns) + "|"
    lines = ["| " + " | ".join(str(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    short = frame[(frame["experiment"] != TOTAL) & (frame["config_runtime_min"] < frame["runtime_min"])]
    warning = (
        ""
        if short.empty
        else "\n**runtime_min below the derived value** in the config: "
        + ", ".join(f"{r.experiment} ({r.config_runtime_min} < {r.runtime_min})" for r in short.itertuples())
        + "\n"
    )
    return (
        f"# Cost of the full run\n\n{caption()}\n\nMeasured on: {measured_on}.\n\n"
        + "\n".join([header, rule, *lines])
        + "\n"
        + warning
    )


def html(frame: pd.DataFrame, measured_on: str) -> str:
    """A self-contained HTML page of the cost table for the Snakemake report."""
    body = _shown(frame).to_html(index=False, escape=True, border=0, classes="cost")
    style = (
        "body{font-family:sans-serif;font-size:13px} table.cost{border-collapse:collapse}"
        " .cost td,.cost th{border:1px solid #ccc;padding:4px 6px;text-align:right}"
        " .cost td:first-child,.cost th{text-align:left} .cost th{background:#f0f0f0}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Cost</title><style>{style}</style></head>"
        f"<body><h1>Cost of the full run</h1><p>{caption()}</p><p>Measured on: {measured_on}.</p>{body}"
        "</body></html>\n"
    )
