"""The README's cluster command on a real SLURM: a single-node cluster on localhost without an
accounting database (tests/slurm_cluster.py) runs a small config through
`snakemake --profile workflow/profiles/slurm`. Every training job goes through sbatch with the
threads, memory, time and GPUs its config declares, the results equal a local run's, and a job
that fails ends the run as failed instead of being waited on forever (one run with --keep-going
checks both: the failing job beside the working ones).

Opt-in: it installs packages and starts daemons as root, so a plain `pytest` leaves it out
(pyproject.toml's addopts); `pytest -m slurm` runs it, as `.ci/run` does. Where it cannot be
root or install the packages it skips with the reason, unless FPRINCIPLE_REQUIRE_SLURM=1 (CI).
"""

import copy
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from .conftest import ROOT, load_config
from .slurm_cluster import single_node_cluster

pytestmark = pytest.mark.slurm

PROFILE = ["--profile", "workflow/profiles/slurm"]  # as in README.md, run from the checkout
# The plugin's first status check comes 40 s after a submission by default; 5 s here (each
# check that finds nothing finished waits 10 s longer, and the run's exit waits out the last one).
QUICK_STATUS = ["--slurm-init-seconds-before-status-checks", "5"]
RUN_TIMEOUT_S = 420
FAILING = "fp1d_equal_amp"  # the experiment whose job diverges
SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+)")


def results_of(workdir: Path, cfg: dict) -> Path:
    """Where a run of `cfg` in `workdir` writes its results (one folder per scale)."""
    return workdir / "results" / cfg["scale"]


def start_snakemake(workdir: Path, *args: str) -> subprocess.Popen:
    """snakemake run from the checkout, so the README's relative profile path works."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.Popen(
        [sys.executable, "-m", "snakemake", "-d", str(workdir), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float) -> tuple[int, str]:
    """(exit status, output) under a hard timeout: a run that hangs is killed and fails the test
    instead of the test waiting with it."""
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(
            f"{' '.join(process.args[2:])} still running after {timeout} s (killed):\n{output[-3000:]}", pytrace=False
        )
    return process.returncode, output


def write_config(path: Path, cfg: dict) -> str:
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def small_config() -> dict:
    """Two cheap experiments of the quick config, shrunk: a training run that asks for a GPU and
    an mpmath run that asks for two threads and gets train.resources for the rest."""
    cfg = copy.deepcopy(load_config())
    snapshots = cfg["experiments"]["fp1d_snapshots"]
    snapshots.update(seeds=[0], steps=200, log_every=50, snapshot_steps=[0, 100, 200])
    snapshots["spectrum"]["window"] = 2  # of the 5 logged steps
    snapshots["model"]["hidden"] = [32, 32]
    # --gpus=1 onto the node's fake GPU; the CPU build of torch still trains on the CPU.
    snapshots["resources"] = {"gpu": 1, "mem_mb": 1500, "runtime_min": 7}
    asymptotics = cfg["experiments"]["basri_asymptotics"]
    asymptotics.update(
        dims={"min": 2, "max": 10, "step": 4}, degrees={"min": 800, "max": 820, "step": 10}, curve_dims=[2, 10]
    )
    asymptotics["resources"] = {"threads": 2}
    cfg["experiments"] = {"fp1d_snapshots": snapshots, "basri_asymptotics": asymptotics}
    cfg["only"] = list(cfg["experiments"])  # the other experiments' sections fill in again, but do not run
    cfg["train"]["progress"] = False
    return cfg


def requested(cfg: dict, experiment: str) -> dict:
    """What SLURM must have been asked for, in `scontrol show job` terms."""
    res = {**cfg["train"]["resources"], **cfg["experiments"][experiment].get("resources", {})}
    hours, minutes = divmod(res["runtime_min"], 60)
    return {
        "CPUs/Task": str(res["threads"]),
        "MinMemoryNode": f"{res['mem_mb']}M",
        "TimeLimit": f"{hours:02d}:{minutes:02d}:00",
        "TresPerJob": f"gres:gpu:{res['gpu']}" if res["gpu"] > 0 else None,
    }


def diverging_config() -> dict:
    """fp1d_equal_amp at a learning rate that makes its training diverge: a job that raises."""
    diverging = copy.deepcopy(load_config()["experiments"][FAILING])
    diverging.update(seeds=[0], steps=200, log_every=50, optimizer={"name": "gd", "lr": 1.0e6})
    diverging["spectrum"]["window"] = 2  # of the 5 logged steps
    diverging["model"]["hidden"] = [32, 32]
    return diverging


def without_timing(meta: dict) -> dict:
    """meta.json less what the clock measured (wall_s, train_loop_s, steps_per_s, process_cpu_s:
    all end in _s; the loops' timings)."""
    return {k: v for k, v in meta.items() if not k.endswith("_s") and k != "timings"}


@pytest.fixture(scope="module")
def cluster():
    with single_node_cluster() as running:
        print(f"\nSLURM: apt-get install {running.install_s:.1f} s, daemons up and node idle {running.start_s:.1f} s")
        yield running


def test_profile_runs_the_dag_on_slurm_like_a_local_run_and_reports_a_failing_job(cluster, tmp_path):
    """One SLURM run of the small config plus a job that raises (training diverges), with
    --keep-going: the other jobs finish and equal a local run's, the failing one is reported as
    failed within the timeout, once (the profile does not resubmit a deterministic failure), and
    the run ends non-zero."""
    # The case the profile is for: this cluster has no accounting, so sacct cannot report states.
    assert cluster.command("sacct", "-X", "-n", check=False).returncode != 0

    cfg = small_config()
    working = list(cfg["experiments"])
    cfg["experiments"][FAILING] = diverging_config()
    cfg["only"].append(FAILING)
    config = write_config(tmp_path / "config.yaml", cfg)
    on_slurm, local = tmp_path / "slurm", tmp_path / "local"
    # The local reference runs meanwhile (the SLURM run mostly waits on the queue and on polls),
    # for the working experiments' figures and claims.
    targets = [
        str((results_of(local, cfg) / sub / f"{e}.{ext}").relative_to(local))
        for e in working
        for sub, ext in (("figures", "png"), ("claims", "parquet"))
    ]
    start = time.monotonic()
    slurm_run = start_snakemake(on_slurm, *PROFILE, "--configfile", config, "--keep-going", *QUICK_STATUS)
    local_run = start_snakemake(local, *targets, "--cores", "2", "--configfile", config)
    try:
        status, log = finish(slurm_run, RUN_TIMEOUT_S)
        print(f"\nSLURM run {time.monotonic() - start:.1f} s (a local run of the same config beside it)")
        assert status != 0, log[-5000:]  # the failing job fails the run
        status, reference = finish(local_run, RUN_TIMEOUT_S)
        assert status == 0, reference[-5000:]
    finally:
        if local_run.poll() is None:
            local_run.kill()
            local_run.wait()
    slurm_results, local_results = results_of(on_slurm, cfg), results_of(local, cfg)
    runs = sorted(p.relative_to(local_results).parent for p in local_results.glob("runs/*/*/metrics.parquet"))
    assert runs

    # Every training job, and nothing else, went through sbatch, once, with what its config declares.
    submitted = SUBMITTED.findall(log)
    jobs = {job["Comment"]: (job_id, job) for job_id, job in ((i, cluster.job(i)) for i in submitted)}
    expected = {
        f"rule_train_wildcards_{experiment}_{run_id}": experiment
        for _, experiment, run_id in (run.parts for run in runs)
    }
    failing = f"rule_train_wildcards_{FAILING}_seeds-0"
    assert len(submitted) == len(expected) + 1 and sorted(jobs) == sorted([*expected, failing]), log[-3000:]
    for comment, experiment in expected.items():
        assert jobs[comment][1]["JobState"] == "COMPLETED", comment
        asked = requested(cfg, experiment)
        assert {key: jobs[comment][1].get(key) for key in asked} == asked, comment

    # The failing job: FAILED in SLURM and in Snakemake's report, its log naming the cause.
    job_id, job = jobs[failing]
    assert job["JobState"] == "FAILED"
    assert f"SLURM-job '{job_id}' failed" in log and "Error in rule train" in log
    rule_log = next(on_slurm.rglob(f"logs/train/{FAILING}/seeds-0.log")).read_text()
    assert "training loss became" in rule_log

    # Same results as the local run: every run's metrics and meta, every table, the claims.
    assert runs == sorted(p.relative_to(slurm_results).parent for p in slurm_results.glob("runs/*/*/metrics.parquet"))
    for run in runs:
        pd.testing.assert_frame_equal(
            pd.read_parquet(slurm_results / run / "metrics.parquet"),
            pd.read_parquet(local_results / run / "metrics.parquet"),
        )
        meta = [json.loads((base / run / "meta.json").read_text()) for base in (slurm_results, local_results)]
        assert without_timing(meta[0]) == without_timing(meta[1])
    for table in [*(f"claims/{e}.parquet" for e in working), *(f"tables/{e}.parquet" for e in working)]:
        pd.testing.assert_frame_equal(pd.read_parquet(slurm_results / table), pd.read_parquet(local_results / table))
    for experiment in working:
        for ext in ("png", "pdf"):
            assert (slurm_results / "figures" / f"{experiment}.{ext}").stat().st_size > 10_000
