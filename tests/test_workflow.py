"""The DAG end to end: lint, formatting, the quick scale with every claim passing, the report,
and a training job killed with SIGKILL that resumes from its checkpoint."""

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from fprinciple.io import METRIC_COLUMNS

from .conftest import MNIST_ROOT, ROOT, load_config, needs_mnist

SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([*SNAKEMAKE, "-d", str(workdir), *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def write_config(path: Path, cfg: dict) -> str:
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def test_lint_is_clean():
    result = subprocess.run([*SNAKEMAKE, "--lint"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Lints for" not in result.stdout + result.stderr


def test_snakefiles_are_snakefmt_formatted():
    files = ["Snakefile", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "workflow" / "rules").glob("*.smk"))]
    result = subprocess.run([sys.executable, "-m", "snakefmt", "--check", *files], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.workflow
def test_quick_scale_end_to_end(tmp_path):
    config = str(ROOT / "config" / "config.yaml")
    snakemake(tmp_path, "--cores", "2", "--configfile", config)
    results = tmp_path / "results" / "quick"

    claims = pd.read_parquet(results / "claims.parquet")
    failed = claims[~claims["passed"]]
    assert failed.empty, failed.to_string()
    assert set(claims["experiment"]) == set(load_config()["experiments"])
    assert (claims["scale"] == "quick").all()
    assert "claims pass" in (results / "claims.md").read_text()

    for experiment in load_config()["experiments"]:
        for ext in ("png", "pdf"):
            assert (results / "figures" / f"{experiment}.{ext}").stat().st_size > 10_000
        table = pd.read_parquet(results / "tables" / f"{experiment}.parquet")
        assert list(table.columns[: len(METRIC_COLUMNS)]) == METRIC_COLUMNS
    meta = json.loads(next((results / "runs" / "fp1d_step").glob("*/meta.json")).read_text())
    assert {"config", "variant", "device", "versions", "wall_s", "steps_per_s"} <= set(meta)
    assert not list(results.rglob("*.tmp"))

    snakemake(tmp_path, "--report", str(tmp_path / "report.html"), "--configfile", config)
    report = (tmp_path / "report.html").read_text()
    assert "fp1d_equal_amp" in report and "claims" in report.lower()


@pytest.mark.workflow
@needs_mnist
def test_real_mnist_check(tmp_path):
    """The MNIST path on real MNIST (config/mnist.yaml, reduced sizes): every claim passes and
    every figure, caption and claim names the real dataset."""
    config = str(ROOT / "config" / "mnist.yaml")
    snakemake(tmp_path, "--cores", "2", "--configfile", config, "--config", f"data_root={MNIST_ROOT}")
    results = tmp_path / "results" / "mnist"
    claims = pd.read_parquet(results / "claims.parquet")
    failed = claims[~claims["passed"]]
    assert failed.empty, failed.to_string()
    assert set(claims["experiment"]) == set(load_config("mnist.yaml")["experiments"])
    assert json.loads((results / "data" / "mnist.json").read_text())["caption"] == "MNIST (real)"
    assert claims["dataset"].str.contains("MNIST (real)", regex=False).all(), claims["dataset"].to_string()
    for experiment in claims["experiment"].unique():
        assert (results / "figures" / f"{experiment}.png").stat().st_size > 10_000


def _descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in map(int, task.read_text().split()):
            children += [child, *_descendants(child)]
    return children


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.workflow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to find the training process")
def test_killed_training_job_resumes_from_checkpoint(tmp_path):
    cfg = copy.deepcopy(load_config())
    experiment = cfg["experiments"]["fp1d_equal_amp"]
    experiment.update(seeds=[0], steps=4000, log_every=50)
    cfg["experiments"] = {"fp1d_equal_amp": experiment}
    cfg["train"].update(checkpoint_every=200, progress=False)
    config = write_config(tmp_path / "config.yaml", cfg)
    target = "results/quick/runs/fp1d_equal_amp/seed-0/metrics.parquet"

    reference = tmp_path / "reference"
    snakemake(reference, target, "--cores", "1", "--configfile", config)

    killed = tmp_path / "killed"
    checkpoint = killed / "results/quick/runs/fp1d_equal_amp/seed-0/checkpoint.pt"
    job = subprocess.Popen([*SNAKEMAKE, "-d", str(killed), target, "--cores", "1", "--configfile", config],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not checkpoint.exists() and job.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert checkpoint.exists(), "no checkpoint was written before the job ended"
    trainers = [pid for pid in _descendants(job.pid) if "train.py" in _cmdline(pid)]
    assert trainers, "training process not found"
    for pid in trainers:
        os.kill(pid, signal.SIGKILL)
    assert job.wait(timeout=60) != 0
    assert not (killed / target).exists()  # nothing half-written at the output path

    snakemake(killed, target, "--cores", "1", "--configfile", config)
    log = (killed / "results/quick/logs/train/fp1d_equal_amp/seed-0.log").read_text()
    assert "resumed from checkpoint" in log and "at step 0\n" not in log
    meta = json.loads((killed / target).with_name("meta.json").read_text())
    assert meta["resumed_from_step"] > 0
    pd.testing.assert_frame_equal(pd.read_parquet(killed / target), pd.read_parquet(reference / target))


def test_configfile_replaces_the_quick_default(tmp_path):
    """`--configfile X` runs exactly X: no experiment or key of config.yaml is merged into it."""
    cfg = copy.deepcopy(load_config())
    cfg["experiments"] = {"fp1d_snapshots": cfg["experiments"]["fp1d_snapshots"]}
    result = snakemake(tmp_path, "-n", "--cores", "1", "--configfile", write_config(tmp_path / "c.yaml", cfg))
    assert "results/quick/runs/fp1d_snapshots/" in result.stdout
    assert "results/quick/runs/fp1d_step/" not in result.stdout and "basri" not in result.stdout
