"""run.py's commands on a real Snakemake run, as a user meets them: one experiment by id with its
claims and a console a person reads, the report in the run's results folder, a copy of the
checkout that plans nothing, a code edit that reruns exactly its jobs, and Ctrl-C mid-training.
The commands run without run.py's install step (the test environment is the installed one)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT
from .killing import SNAKEMAKE, STALE_LOCK_MESSAGE, TRAINED_RUN, interruptible, tiny_config

pytestmark = pytest.mark.smoke

SMOKE = "config/smoke.yaml"
NOT_RUNNABLE = ".venv", "results", ".snakemake", ".git", "__pycache__", ".pytest_cache"


def copy_checkout(to: Path) -> Path:
    """The working tree, as a user's clone elsewhere, sharing this environment."""
    shutil.copytree(ROOT, to, ignore=shutil.ignore_patterns(*NOT_RUNNABLE))
    (to / ".venv").symlink_to(ROOT / ".venv")
    return to


def run_py_line(checkout: Path, *argv: str) -> list[str]:
    """`python3 run.py ARGV` of ``checkout`` past its install step: the command line it builds,
    run the way it runs it (run.run)."""
    driver = (
        f"import importlib.util, sys; spec = importlib.util.spec_from_file_location('r', {str(checkout / 'run.py')!r}); "
        "r = importlib.util.module_from_spec(spec); spec.loader.exec_module(r); "
        f"sys.exit(r.run(r.command({argv[0]!r}, {list(argv[1:])!r})))"
    )
    return [sys.executable, "-c", driver]


def run_py(checkout: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(run_py_line(checkout, *argv), capture_output=True, text=True)


def dry_run(checkout: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--configfile", SMOKE, "--config", "only=[fp1d_step]"],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def test_one_experiment_by_id_its_claims_console_report_and_copies(tmp_path):
    checkout = copy_checkout(tmp_path / "clone")
    result = run_py(checkout, "figures", "fp1d_step", "--cores", "2", "--configfile", SMOKE)
    console = result.stdout + result.stderr
    assert result.returncode == 0, console[-4000:]

    results = checkout / "results" / "smoke"
    assert sorted(p.name for p in (results / "figures").iterdir()) == ["fp1d_step.pdf", "fp1d_step.png"]
    scope = f"Covers fp1d_step only; `python3 run.py figures --configfile {SMOKE}` for all 23."
    assert f"> **{scope}**" in (results / "claims.md").read_text()  # under the title, above the table
    assert scope in (results / "claims.html").read_text()

    # A console a person reads: one line per job naming it, no source file lists, a closing summary.
    assert str(checkout / "src") not in console and "Shell command" not in console
    assert re.search(r"^Job \d+: train fp1d_step/\S+$", console, re.M)
    assert re.search(r"^Job \d+: figure fp1d_step$", console, re.M)
    assert "Results in results/smoke/: figures/, claims.md, claims.html" in console
    assert re.search(r"^Claims: .*Table: results/smoke/claims\.md", console, re.M)
    assert scope in console
    assert (
        f"Report: python3 run.py report fp1d_step --configfile {SMOKE}  (writes results/smoke/report.html)" in console
    )

    report = run_py(checkout, "report", "fp1d_step", "--configfile", SMOKE)
    assert report.returncode == 0, report.stderr[-3000:]
    assert (results / "report.html").stat().st_size > 10_000

    # The same checkout elsewhere, results included, plans nothing; a figure edit reruns that figure.
    moved = tmp_path / "moved"
    shutil.copytree(checkout, moved, symlinks=True)
    assert "Nothing to be done" in dry_run(moved)
    with open(moved / "src" / "fprinciple" / "experiments" / "fp1d_step" / "figure.py", "a") as module:
        module.write("\n# an edit\n")
    planned = re.findall(r"^Job \d+: (.+)$", dry_run(moved), re.M)
    assert sorted(planned) == ["all: figures and claims", "figure fp1d_step"], planned


def test_an_id_the_config_lacks_is_refused_with_the_closest():
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--configfile", SMOKE, "--config", "only=[fp1d_stp]"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "'fp1d_stp' is not an experiment of this config: did you mean 'fp1d_step'?" in result.stderr


def test_ctrl_c_mid_training_stops_cleanly_and_the_same_command_resumes(tmp_path):
    """SIGINT to the whole process group, as a terminal sends Ctrl-C: run.py waits for Snakemake
    to shut down (its locks removed), says how to resume in one line, exits 130, and no traceback
    reaches the console; the same command then resumes training from its checkpoint."""
    workdir = tmp_path / "run"
    argv = ("figures", "--cores", "2", "-d", str(workdir), "--configfile", tiny_config(tmp_path / "config.yaml"))
    process = subprocess.Popen(
        run_py_line(ROOT, *argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )  # a terminal's job
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    checkpoint, started = workdir / TRAINED_RUN / "checkpoint.pt", time.time()
    while not checkpoint.exists():
        assert process.poll() is None and time.time() - started < 300, "".join(lines)[-4000:]
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=120) == 130
    reader.join(timeout=10)
    console = "".join(lines)

    assert console.endswith("interrupted; run the same command to resume\n"), console[-3000:]
    assert "Traceback" not in console and "KeyboardInterrupt" not in console, console[-4000:]
    assert "Failed: see" not in console  # the onerror line is for failures, not for Ctrl-C
    assert not list((workdir / ".snakemake" / "locks").glob("*")), "Snakemake exited holding its locks"

    rerun = subprocess.run(run_py_line(ROOT, *argv), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert STALE_LOCK_MESSAGE not in rerun.stderr and "Incomplete" not in rerun.stderr
    log = (workdir / "results/quick/logs/train/fp1d_snapshots/seeds-0.log").read_text()
    assert "resumed from checkpoint" in log


def test_a_failed_job_is_loud_and_the_last_line_names_its_log(tmp_path):
    """Errors stay loud under the profile's quiet settings: the failed job's rule, log path and
    log (show-failed-logs), then one line naming the log."""
    config = yaml.safe_load(Path(tiny_config(tmp_path / "config.yaml")).read_text())
    config["experiments"]["fp1d_snapshots"]["optimizer"] = {"name": "gd", "lr": 1.0e6}  # diverges at once
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [*SNAKEMAKE, "-d", str(tmp_path), "--cores", "1", "--configfile", str(tmp_path / "config.yaml")]
        + ["--config", "only=[fp1d_snapshots]"],
        capture_output=True,
        text=True,
    )
    console = result.stdout + result.stderr
    log = "results/quick/logs/train/fp1d_snapshots/seeds-0.log"
    assert result.returncode == 1
    assert "Error in rule train:" in console and f"log: {log}" in console
    assert "TrainingDiverged: fp1d_snapshots/seeds-0" in console  # the log itself, shown
    assert result.stdout.rstrip().splitlines()[-1] == f"Failed: see {log}"
