"""Execute one run of any experiment: the library side of the `train` rule.

Writes `metrics.parquet` (tidy rows: the metrics contract, docs/architecture.md#contracts) and `meta.json` (resolved config,
seed, versions, device, wall time, steps/s, and per training loop the steps and logs done and
planned with the CPU and wall seconds of each: the cost table's input) atomically, resuming from the checkpoint(s) in the
same folder if an earlier attempt was killed. A checkpoint is resumed only under the same config,
variant and library code (its fingerprint). A diverged run (``TrainingDiverged``) fails with the
trainer's account of the loss plus the config keys of this experiment that would tame it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import torch

from . import experiments, io, sources
from .learners import TRAINED
from .training import RunContext, TrainingDiverged, choose_device, evaluation

# The config keys that set a step size or an initialisation scale, whatever the experiment calls
# them (optimizer.lr, optimizers.sgd.lr, nets.bias.lr, model.init_std, init_stds, weight_std):
# the ones a diverged run's message tells the user to lower.
DIVERGENCE_KEYS = re.compile(r"(lr|learning_rate|(init|weight)_(std|scale))s?")


def fingerprint(experiment: str, cfg: dict, variant: dict) -> str:
    """A hash of everything that defines a run's results: its settings and the code it runs."""
    code = sources.digest(experiments.module_name(experiment, "run"))
    return hashlib.sha256(json.dumps([cfg, variant, code], sort_keys=True, default=str).encode()).hexdigest()


def divergence_keys(experiment: str, cfg: dict) -> list[str]:
    """The dotted paths of every learning-rate and init-scale key in the experiment's config block."""

    def walk(node: dict, path: str) -> Iterator[str]:
        for key, value in node.items():
            if isinstance(value, dict):
                yield from walk(value, f"{path}.{key}")
            elif DIVERGENCE_KEYS.fullmatch(str(key)):
                yield f"{path}.{key}"

    return list(walk(cfg, f"experiments.{experiment}"))


def divergence_hint(experiment: str, cfg: dict) -> str:
    keys = divergence_keys(experiment, cfg)
    if not keys:
        return f"experiments.{experiment} has no learning-rate or init-scale key: see src/fprinciple/experiments/{experiment}/README.md"
    return "config keys: " + ", ".join(keys)


def metrics_frame(experiment: str, run: str, variant: dict, records: pd.DataFrame) -> pd.DataFrame:
    """Prefix the trainer's (step, metric, key, value, learner) rows with the run's identity.

    A run that trains several seeds (or frequencies) at once already has those columns in its
    records; the variant's other scalar entries become columns.
    """
    frame = records.copy()
    if "seed" not in frame:
        frame.insert(0, "seed", int(variant["seed"]))
    if "learner" not in frame:
        frame["learner"] = TRAINED
    frame.insert(0, "experiment", experiment)
    frame.insert(1, "run", run)
    frame.insert(2, "seed", frame.pop("seed"))
    for key, value in variant.items():
        if key not in frame and not isinstance(value, (list, tuple)):
            frame[key] = value
    return frame


def execute(
    experiment: str,
    run: str,
    cfg: dict,
    out_dir: str | Path,
    device: str = "auto",
    threads: int = 1,
    checkpoint_every: int = 0,
    progress: bool = True,
    compile_cache: str | Path | None = None,
    data_root: str | Path | None = None,
    download: bool = False,
    max_steps: int | None = None,
    eval_samples: int | None = None,
) -> pd.DataFrame:
    module = experiments.part(experiment, "run")
    variants = module.runs(cfg)
    if run not in variants:
        raise ValueError(f"{experiment} has no run {run!r}; its runs are: {', '.join(variants)}")
    variant = variants[run]
    torch.set_num_threads(threads)
    # Read by Inductor when it first compiles (training.fused): where its cache lives, and as many
    # compiler workers as the job has threads, not one per core of a shared node.
    os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", str(threads))
    if compile_cache is not None:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(Path(compile_cache).resolve())
    out_dir = Path(out_dir)
    ctx = RunContext(
        device=choose_device(device),
        checkpoint=out_dir / "checkpoint.pt",
        checkpoint_every=checkpoint_every,
        fingerprint=fingerprint(experiment, cfg, variant),
        progress=progress,
        desc=f"{experiment}/{run}",
        data_root=Path(data_root) if data_root is not None else None,
        download=download,
        max_steps=max_steps,
        eval_samples=eval_samples,
    )
    started = time.time()
    try:
        with evaluation.capped(eval_samples):
            result = module.run(cfg, variant, ctx)
    except TrainingDiverged as err:
        # The trainer knows the loss, the runner knows the config: one message with both.
        raise TrainingDiverged(f"{err} ({divergence_hint(experiment, cfg)})") from None
    metrics = metrics_frame(experiment, run, variant, result.records)
    io.write_parquet(metrics, out_dir / "metrics.parquet")
    # The job's CPU seconds so far, interpreter start and imports included: with the loops' own
    # timings, the start-up cost of a job of this experiment (fprinciple.cost).
    process_cpu_s = time.process_time()
    io.write_json(
        {
            "experiment": experiment,
            "run": run,
            "variant": variant,
            "config": cfg,
            "device": str(ctx.device),
            "threads": threads,
            "versions": io.library_versions(),
            "steps": result.steps,
            "planned_steps": result.planned_steps,
            "max_steps": max_steps,
            "eval_samples": eval_samples,
            "stopped_by": result.stopped_by,
            "resumed_from_step": result.resumed_from,
            "wall_s": round(time.time() - started, 3),
            "train_loop_s": round(result.wall_s, 3),
            "steps_per_s": round(result.steps_per_s, 1),
            "process_cpu_s": round(process_cpu_s, 3),
            "timings": [asdict(timing) for timing in result.timings],
        },
        out_dir / "meta.json",
    )
    return metrics
