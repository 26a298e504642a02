"""A plain rerun resumes after SIGKILL of the whole Snakemake process group, at any point: no
--unlock, no --rerun-incomplete, training continues from its checkpoint, and the results equal an
uninterrupted run's. A lock is removed only when no run of the workflow is alive."""

import base64
import fcntl
import json
import subprocess
from pathlib import Path

import pytest

from fprinciple.training import checkpoint

from .killing import (
    SNAKEMAKE,
    STALE_LOCK_MESSAGE,
    STEPS,
    TRAINED_RUN,
    Run,
    assert_same_results,
    printed,
    tiny_config,
    wrote_since_start,
)

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to wait for killed jobs"),
]
REFUSALS = ["LockException", "--unlock", "IncompleteFilesException", "--rerun-incomplete"]


def test_plain_rerun_after_whole_group_kills_finishes_identical(tmp_path):
    args = ("--cores", "2", "--configfile", tiny_config(tmp_path / "config.yaml"))
    reference = Run(tmp_path / "reference", "results/quick/claims.parquet", *args)  # alongside, uninterrupted
    work = tmp_path / "killed"
    run_dir = work / TRAINED_RUN
    train_log = work / "results/quick/logs/train/fp1d_snapshots/seeds-0.log"

    Run(work, *args).kill_when(printed(r"^Building DAG of jobs"))
    reruns = []

    def rerun_killed_when(condition) -> Run:
        run = Run(work, *args)
        run.kill_when(condition)
        reruns.append(run)
        return run

    rerun_killed_when(wrote_since_start(run_dir / "checkpoint.pt"))  # mid-training
    state = checkpoint.read(run_dir / "checkpoint.pt")
    assert not state.get("finished") and 0 < state["step"] < STEPS

    rerun_killed_when(wrote_since_start(run_dir / "meta.json"))  # outputs written, not yet registered
    # Snakemake's mark of a job it started and has not seen finish (base64 of the output path)
    marker = base64.urlsafe_b64encode(f"{TRAINED_RUN}/metrics.parquet".encode()).decode()
    unregistered = (work / ".snakemake" / "incomplete" / marker).exists()
    assert json.loads((run_dir / "meta.json").read_text())["resumed_from_step"] == state["step"]

    rerun_killed_when(printed(r"^Job \d+: figure "))  # the rules' messages (workflow/rules/*.smk)
    rerun_killed_when(printed(r"^Job \d+: (experiment_claims|claims)\b"))
    final = Run(work, *args)
    reruns.append(final)
    assert final.finish() == 0, final.output[-4000:]
    assert reference.finish() == 0, reference.output[-4000:]

    for run in reruns:
        assert not [word for word in REFUSALS if word in run.output], run.output[-4000:]
    for run in reruns[1:]:  # each killed while its jobs ran, i.e. holding its locks
        assert run.output.count(STALE_LOCK_MESSAGE) == 1, run.output[-4000:]
    assert_same_results(work, tmp_path / "reference")
    assert (work / "results/quick/figures/fp1d_snapshots.png").exists() and (work / "results/quick/claims.md").exists()
    log = train_log.read_text()
    assert "resumed from checkpoint" in log and "at step 0\n" not in log
    assert json.loads((run_dir / "meta.json").read_text())["resumed_from_step"] == state["step"]
    if unregistered:  # outputs complete but unregistered were rerun, instantly, from the finished checkpoint
        assert f"finished at step {STEPS}" in log, log


def _dry_run(workdir: Path, config: str, *args: str) -> str:
    result = subprocess.run(
        [*SNAKEMAKE, "-d", str(workdir), "-n", "--cores", "1", "--configfile", config, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def test_lock_is_removed_only_when_no_run_of_the_workflow_is_alive(tmp_path):
    config = tiny_config(tmp_path / "config.yaml")
    state = tmp_path / "work" / ".snakemake"
    (state / "locks").mkdir(parents=True)
    lock = state / "locks" / "0.output.lock"
    lock.write_text(str(tmp_path / "work" / "results/quick/claims.parquet") + "\n")

    with open(state / "workflow.flock", "a") as alive:  # the share a live main Snakemake process holds
        fcntl.flock(alive, fcntl.LOCK_SH)
        output = _dry_run(tmp_path / "work", config)
        assert lock.exists() and STALE_LOCK_MESSAGE not in output
    # A job process parses the Snakefile too, while its main process is alive: on SLURM (and any
    # remote executor) with --mode remote, locally with --mode subprocess. It never touches the locks.
    output = _dry_run(tmp_path / "work", config, "--mode", "remote")
    assert lock.exists() and STALE_LOCK_MESSAGE not in output

    output = _dry_run(tmp_path / "work", config)  # nothing holds it now: the lock is a dead run's
    assert not lock.exists() and output.count(STALE_LOCK_MESSAGE) == 1
