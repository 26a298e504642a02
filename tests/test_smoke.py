"""The smoke DAG: every experiment of config/smoke.yaml (tiny settings) through train → aggregate
→ figure → claims → report in a few minutes. Its claims are computed, not required to pass; the
claims table must still name every experiment, hold a verdict on each control, and the report
must build without a docutils message."""

import subprocess
import sys

import pandas as pd
import pytest

from fprinciple.claims import control_names
from fprinciple.io import METRIC_COLUMNS

from .conftest import ROOT, load_config

SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]


def run(workdir, *args):
    result = subprocess.run([*SNAKEMAKE, "-d", str(workdir), *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result


@pytest.mark.smoke
def test_smoke_dag_runs_every_experiment(tmp_path):
    config = str(ROOT / "config" / "smoke.yaml")
    experiments = set(load_config("smoke.yaml")["experiments"])
    run(tmp_path, "--cores", "2", "--configfile", config)
    results = tmp_path / "results" / "smoke"
    claims = pd.read_parquet(results / "claims.parquet")
    assert set(claims["experiment"]) == experiments
    assert (claims["scale"] == "smoke").all() and claims["note"].str.contains("not evidence").all()
    assert {"frozen", "mean"} <= set(control_names(claims))
    for experiment in experiments:
        assert (results / "figures" / f"{experiment}.png").stat().st_size > 5_000
        table = pd.read_parquet(results / "tables" / f"{experiment}.parquet")
        assert list(table.columns[: len(METRIC_COLUMNS)]) == METRIC_COLUMNS and "learner" in table
    report = tmp_path / "report.html"
    result = run(tmp_path, "--configfile", config, "--report", str(report))
    assert "(ERROR/" not in result.stderr and "(WARNING/" not in result.stderr
    assert "System Message" not in report.read_text()
