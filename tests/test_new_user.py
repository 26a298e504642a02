"""What a new user trips over, each checked: the workflow profile loads, each scale writes its own
results folder, outputs are readable by colleagues, nothing stray is committed."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from fprinciple import io

from .conftest import ROOT, in_git_checkout

SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]


def planned_outputs(workdir, *args) -> str:
    """Snakemake's own list of every output file the DAG would write (the console names jobs only)."""
    result = subprocess.run([*SNAKEMAKE, "-d", str(workdir), "--summary", *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout + result.stderr


@pytest.mark.smoke
def test_workflow_profile_loads_and_scales_have_their_own_folders(tmp_path):
    quick = planned_outputs(tmp_path, "--configfile", str(ROOT / "config" / "config.yaml"))
    assert "Using workflow specific profile profiles/default" in quick  # Snakemake's own message
    assert "results/quick/claims.md" in quick and "results/paper/" not in quick
    paper = planned_outputs(tmp_path, "--configfile", str(ROOT / "config" / "paper.yaml"))
    assert "results/paper/claims.md" in paper and "results/quick/" not in paper


def test_outputs_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        io.write_parquet(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
        io.write_text("x", tmp_path / "t.md")
    finally:
        os.umask(old)
    assert oct((tmp_path / "t.parquet").stat().st_mode & 0o777) == "0o644"
    assert oct((tmp_path / "t.md").stat().st_mode & 0o777) == "0o644"


@pytest.mark.skipif(not in_git_checkout(), reason="a source archive has no git index to check what is committed")
def test_nothing_stray_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert not [f for f in tracked if f.endswith((".whl", ".tar.gz", ".zip", ".egg"))]
    assert not [f for f in tracked if f.startswith("results/")]
