"""The DAG end to end: lint, formatting, the quick scale with every claim passing, the report.
(Killing a run and resuming it with a plain rerun: tests/test_resume.py.)"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fprinciple import claims_table
from fprinciple.claims import unexpected
from fprinciple.io import METRIC_COLUMNS

from .conftest import MNIST_ROOT, ROOT, load_config, needs_mnist

SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([*SNAKEMAKE, "-d", str(workdir), *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def test_lint_is_clean():
    result = subprocess.run([*SNAKEMAKE, "--lint"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Lints for" not in result.stdout + result.stderr


def test_snakefiles_are_snakefmt_formatted():
    files = ["Snakefile", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "workflow" / "rules").glob("*.smk"))]
    result = subprocess.run(
        [sys.executable, "-m", "snakefmt", "--check", *files], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def assert_claims_reproduced_but_declared(claims: pd.DataFrame, cfg: dict) -> None:
    """Every claim is reproduced but those the config declares not reproduced or untested, which
    are still reported, and no declaration is stale (``claims.unexpected``)."""
    problems = unexpected(claims, cfg["experiments"])
    assert not problems, "\n".join(problems)


@pytest.mark.reproduction
def test_quick_scale_end_to_end(tmp_path):
    config = str(ROOT / "config" / "config.yaml")
    snakemake(tmp_path, "--cores", "2", "--configfile", config)
    results = tmp_path / "results" / "quick"

    claims = pd.read_parquet(results / "claims.parquet")
    assert_claims_reproduced_but_declared(claims, load_config())
    assert (claims["scale"] == "quick").all()
    assert claims_table.summary(claims) in (results / "claims.md").read_text()

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


@pytest.mark.reproduction
@needs_mnist
def test_real_mnist_check(tmp_path):
    """The MNIST path on real MNIST (config/mnist.yaml, reduced sizes): every claim passes but
    those the config declares not reproduced, and every figure, caption and claim names the real
    dataset."""
    config = str(ROOT / "config" / "mnist.yaml")
    snakemake(tmp_path, "--cores", "2", "--configfile", config, "--config", f"data_root={MNIST_ROOT}")
    results = tmp_path / "results" / "mnist"
    claims = pd.read_parquet(results / "claims.parquet")
    assert_claims_reproduced_but_declared(claims, load_config("mnist.yaml"))
    assert json.loads((results / "data" / "mnist.json").read_text())["caption"] == "MNIST (real)"
    assert claims["dataset"].str.contains("MNIST (real)", regex=False).all(), claims["dataset"].to_string()
    for experiment in claims["experiment"].unique():
        assert (results / "figures" / f"{experiment}.png").stat().st_size > 10_000


@pytest.mark.smoke
def test_configfile_replaces_the_quick_default(tmp_path):
    """`--configfile X` runs exactly X's scale: its experiments are the folders with a section for
    it (config/mnist.yaml: the MNIST ones only), and no experiment or key of config.yaml is merged in."""
    result = snakemake(tmp_path, "--summary", "--configfile", str(ROOT / "config" / "mnist.yaml"))  # every output
    planned = set(re.findall(r"results/mnist/runs/(\w+)/", result.stdout))
    assert planned == set(load_config("mnist.yaml")["experiments"]) and "fp_filter" in planned
    assert "fp1d_snapshots" not in planned and "results/quick/" not in result.stdout
