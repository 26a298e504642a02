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
- planned_steps and planned_logs: those of the untruncated settings;
- f: the seeds the full job trains ÷ the seeds its rehearsal trained (1 for one-seed jobs; a
  job that trains every seed at once, e.g. a Basri ensemble, scales with them).

Core-hours are CPU seconds (``time.process_time``: every thread) / 3600. Where a stopping rule
(a loss threshold, learned members, an optimizer's tolerance) may end a loop before its planned
steps, the estimate is an upper bound. A job without a training loop (exact theory) runs in full
in the rehearsal: its cost is what it measured. GPU-hours: the same model on wall seconds, for
a rehearsal that ran on a GPU (interpreter start-up not included). Records grow with the logs;
their handling after the loop is counted as start-up, at the rehearsal's size.

SLURM ``runtime_min`` of an experiment: ``RUNTIME_SAFETY`` × its longest job's estimated
seconds ÷ its threads (wall on a GPU when one was measured), rounded up to 5 minutes, at least
``RUNTIME_FLOOR_MIN``.
"""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

# Covers cluster cores slower than the rehearsal's, threads that do not scale perfectly, and the
# model's own error (measured 1.0–1.3 × on fully run experiments; docs in README.md).
RUNTIME_SAFETY = 3.0
RUNTIME_FLOOR_MIN = 10  # a job's queue, start-up and result writing on a shared file system
TOTAL = "total"  # the experiment column of the whole-DAG row

COLUMNS = [
    "experiment",
    "jobs",
    "seeds",
    "planned_steps",
    "planned_logs",
    "startup_cpu_s",
    "step_cpu_s",
    "log_cpu_s",
    "cpu_core_hours",
    "gpu_hours",
    "longest_job_cpu_h",
    "bound",
    "threads",
    "runtime_min",
    "config_runtime_min",
    "rehearsal_cpu_s",
    "device",
    "data",
]


def _identity(variant: dict) -> str:
    """A variant without its seed(s): what a full run shares with its rehearsal."""
    return json.dumps({k: v for k, v in variant.items() if k not in ("seed", "seeds")}, sort_keys=True, default=str)


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


def loop_seconds(timing: dict, clock: str = "cpu") -> dict[str, float]:
    """A rehearsed loop's planned seconds, split into steps and logs (clock "cpu" or "wall")."""
    total, log, first = timing[f"{clock}_s"], timing[f"log_{clock}_s"], timing[f"first_log_{clock}_s"]
    per_step = (total - log) / timing["steps"] if timing["steps"] else 0.0
    # A full log: what was measured plus what a rehearsal's evaluation subset skipped.
    log, first = log + timing[f"skipped_log_{clock}_s"], first + timing[f"skipped_first_log_{clock}_s"]
    later = (log - first) / (timing["logs"] - 1) if timing["logs"] > 1 else first
    planned_logs = timing["planned_logs"]
    logs = first + later * (planned_logs - 1) if planned_logs else 0.0
    return {"steps": per_step * timing["planned_steps"], "logs": logs}


def job_seconds(meta: dict, factor: float, clock: str = "cpu") -> dict[str, float]:
    """One full job's estimated seconds (start-up, steps, logs) from its rehearsal's meta.json."""
    timings = meta.get("timings", [])
    whole = meta["process_cpu_s"] if clock == "cpu" else meta["wall_s"]
    loops = [loop_seconds(t, clock) for t in timings]
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
    experiment: str, jobs: list[tuple[str, str, float]], metas: dict[str, dict], resources: dict, seeds: int, data: str
) -> dict:
    """The cost table's row of one experiment: ``jobs`` from ``plan``, ``metas`` its rehearsal
    runs' meta.json by run id, ``resources`` its effective train resources, ``seeds`` the full
    config's, ``data`` what the rehearsal trained on."""
    on_gpu = all(meta["device"].startswith("cuda") for meta in metas.values())
    cpu = [job_seconds(metas[rehearsal], factor) for _, rehearsal, factor in jobs]
    wall = [job_seconds(metas[rehearsal], factor, "wall") for _, rehearsal, factor in jobs] if on_gpu else []
    timings = [(t, factor) for _, rehearsal, factor in jobs for t in metas[rehearsal].get("timings", [])]
    job_cpu = [sum(parts.values()) for parts in cpu]
    if on_gpu:
        minutes = runtime_min(max(sum(parts.values()) for parts in wall), threads=1)
    else:
        minutes = runtime_min(max(job_cpu), resources["threads"])
    return {
        "experiment": experiment,
        "jobs": len(jobs),
        "seeds": seeds,
        "planned_steps": int(sum(factor * t["planned_steps"] for t, factor in timings)),
        "planned_logs": int(sum(factor * t["planned_logs"] for t, factor in timings)),
        "startup_cpu_s": sum(parts["startup"] for parts in cpu),
        "step_cpu_s": sum(parts["steps"] for parts in cpu),
        "log_cpu_s": sum(parts["logs"] for parts in cpu),
        "cpu_core_hours": sum(job_cpu) / 3600,
        "gpu_hours": sum(sum(parts.values()) for parts in wall) / 3600 if on_gpu else np.nan,
        "longest_job_cpu_h": max(job_cpu) / 3600,
        "bound": "upper bound" if any(t.get("may_stop_early") for t, _ in timings) else "estimate",
        "threads": int(resources["threads"]),
        "runtime_min": minutes,
        "config_runtime_min": int(resources["runtime_min"]),
        "rehearsal_cpu_s": sum(meta["process_cpu_s"] for meta in metas.values()),
        "device": ", ".join(sorted({meta["device"] for meta in metas.values()})),
        "data": data,
    }


def table(rows: Iterable[dict]) -> pd.DataFrame:
    """The per-experiment rows, most expensive first, and the whole DAG's ``TOTAL`` row."""
    frame = pd.DataFrame(list(rows), columns=COLUMNS).sort_values("cpu_core_hours", ascending=False)
    total = {
        "experiment": TOTAL,
        **{
            c: frame[c].sum()
            for c in (
                "jobs",
                "planned_steps",
                "planned_logs",
                "startup_cpu_s",
                "step_cpu_s",
                "log_cpu_s",
                "cpu_core_hours",
                "rehearsal_cpu_s",
            )
        },
        "gpu_hours": frame["gpu_hours"].sum(min_count=len(frame)) if len(frame) else np.nan,
        "longest_job_cpu_h": frame["longest_job_cpu_h"].max(),
        "bound": "upper bound" if (frame["bound"] == "upper bound").any() else "estimate",
        "device": ", ".join(sorted(set(frame["device"]))),
    }
    whole = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)[COLUMNS]
    counts = ["jobs", "seeds", "planned_steps", "planned_logs", "threads", "runtime_min", "config_runtime_min"]
    return whole.astype({column: "Int64" for column in counts})  # the total row has no seeds, threads, ...


CAPTION = (
    "Estimated cost of the full run, from the rehearsal's measured CPU seconds. Per job: start-up + "
    "f × Σ over its training loops (t_step × planned steps + first log + t_log × (planned logs − 1)), "
    "with t_step (CPU seconds per step, logging excluded), t_log (per log) and start-up (CPU outside the "
    "loops) measured on the rehearsal job of the same variant, planned steps and logs of the untruncated "
    "settings, and f = seeds of the full job ÷ seeds rehearsed; summed over runs and seeds. Core-hours = "
    'CPU seconds (all threads) / 3600. "upper bound": a stopping rule (loss threshold, learned '
    "members, an optimizer's tolerance) may end loops before their planned steps. GPU-hours only where "
    "the rehearsal ran on a GPU. runtime_min (SLURM): {safety:g} × the longest job's CPU seconds ÷ its "
    "threads, rounded up to 5 min, at least {floor} min; config_runtime_min: what the config asks for."
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
    for column in ("cpu_core_hours", "gpu_hours", "longest_job_cpu_h"):
        shown[column] = shown[column].map(lambda v: "—" if pd.isna(v) else f"{v:,.3g}")
    for column in ("seeds", "threads", "runtime_min", "config_runtime_min"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{int(v)}")
    for column in ("planned_steps", "planned_logs"):
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
