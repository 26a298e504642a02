"""The smoke DAG: every experiment of config/smoke.yaml (tiny settings) through train → aggregate
→ figure → claims → report in a few minutes, run once in a copy of the checkout. Its claims are
computed, not required to pass; the claims table must still name every experiment, hold a verdict
on each control, and the report must build without a docutils message.

On a finished smoke run of a few experiments (``EDITED``: cheap, and each edit below concerns
one of them), a code edit plans exactly the jobs whose results it can change: claims, figure and
shared analysis code never retrain; a trainer edit retrains the experiments whose run side
imports it. (A copy of a finished run plans nothing: tests/test_cli.py.)
"""

import fcntl
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from fprinciple import sources
from fprinciple.claims import control_names
from fprinciple.io import METRIC_COLUMNS

from .conftest import ROOT, load_config
from .test_cli import copy_checkout

pytestmark = pytest.mark.smoke

SMOKE = "config/smoke.yaml"
# The experiments of the finished run the edit tests plan on (``only``): two 1-D fits (the shared
# claims code of analysis/fit1d.py), a classifier and an image fit.
EDITED = ("fp1d_step", "fp1d_equal_amp", "dfp_resnet", "fp_image")
ONLY = f"only=[{','.join(EDITED)}]"
# The modules whose code digest each rule's params hold (workflow/rules/*.smk), per experiment id.
RULE_CODE = {
    "train": ("fprinciple.experiments.{}.run", "fprinciple.runner"),
    "experiment_claims": ("fprinciple.experiments.{}.claims", "fprinciple.claims"),
    "figure": ("fprinciple.experiments.{}.figure", "fprinciple.figures.style"),
}


def snakemake(checkout: Path, *args: str) -> str:
    """Snakemake on the smoke config, run in ``checkout`` (its own Snakefile and src/)."""
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--configfile", SMOKE, *args], cwd=checkout, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout + result.stderr


@contextmanager
def exclusive(folder: Path):
    """One test at a time in the shared finished run (xdist's workers included)."""
    with open(folder / "smoke.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def finished_run(tmp_path_factory, worker_id, name: str, *args: str) -> Path:
    """A copy of the checkout with the smoke DAG (and ``args``) run in it, once a session: under
    xdist the first worker to take the lock runs it and the others use it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    checkout = shared / name
    with exclusive(shared):
        if not (shared / f"{name}.done").exists():
            copy_checkout(checkout)
            snakemake(checkout, "--cores", "2", *args)
            (shared / f"{name}.done").touch()
    return checkout


@pytest.fixture(scope="session")
def finished(tmp_path_factory, worker_id) -> Path:
    """The whole smoke DAG, finished."""
    return finished_run(tmp_path_factory, worker_id, "smoke_checkout")


@pytest.fixture(scope="session")
def finished_some(tmp_path_factory, worker_id) -> Path:
    """The smoke DAG of the ``EDITED`` experiments, finished."""
    return finished_run(tmp_path_factory, worker_id, "smoke_some", "--config", ONLY)


@contextmanager
def edited(checkout: Path, relative: str):
    """``relative`` (a file of the checkout) with a comment appended, restored afterwards."""
    path = checkout / relative
    original = path.read_bytes()
    with exclusive(checkout.parent):
        path.write_bytes(original + b"\n# an edit\n")
        try:
            yield
        finally:
            path.write_bytes(original)


def planned(checkout: Path) -> list[str]:
    """The jobs `snakemake -n` plans, by the rules' messages ('train fp1d_step/seeds-0', 'figure
    fp1d_step', 'claims: the claims table', ...), as many as its "Job stats" table counts."""
    output = snakemake(checkout, "-n", "--config", ONLY)
    jobs = re.findall(r"^Job \d+: (.+)$", output, re.M)
    stats = dict(re.findall(r"^(\w+) +(\d+)$", output.split("Job stats:")[1], re.M)) if "Job stats:" in output else {}
    assert int(stats.get("total", 0)) == len(jobs), output[-3000:]
    assert int(stats.get("train", 0)) == len([j for j in jobs if j.startswith("train ")]), output[-3000:]
    return sorted(jobs)


def experiments_of(jobs: list[str], rule: str) -> set[str]:
    """The experiments of the planned jobs of ``rule`` ('train' jobs name 'id/run')."""
    return {job.split()[1].split("/")[0] for job in jobs if job.split()[0] == rule}


def users(rule: str, relative: str) -> set[str]:
    """The experiments of ``EDITED`` whose ``rule`` job runs the file ``relative`` (fprinciple.sources)."""
    path = (ROOT / relative).resolve()
    return {e for e in EDITED if any(path in sources.closure(m.format(e)) for m in RULE_CODE[rule])}


def expected(relative: str) -> list[str]:
    """The jobs an edit of ``relative`` must plan: the jobs that run it and those downstream."""
    train = users("train", relative)
    claims = users("experiment_claims", relative) | train
    figures = users("figure", relative) | claims
    jobs = [f"aggregate {e}" for e in train] + [f"experiment_claims {e}" for e in claims]
    jobs += [f"figure {e}" for e in figures] + (["claims: the claims table"] if claims else [])
    jobs += ["all: figures and claims"] if figures else []
    return sorted(jobs)


def test_smoke_dag_runs_every_experiment(finished, tmp_path):
    experiments = set(load_config("smoke.yaml")["experiments"])
    results = finished / "results" / "smoke"
    claims = pd.read_parquet(results / "claims.parquet")
    assert set(claims["experiment"]) == experiments
    assert (claims["scale"] == "smoke").all() and claims["note"].str.contains("not evidence").all()
    assert {"frozen", "mean"} <= set(control_names(claims))
    for experiment in experiments:
        assert (results / "figures" / f"{experiment}.png").stat().st_size > 5_000
        table = pd.read_parquet(results / "tables" / f"{experiment}.parquet")
        assert list(table.columns[: len(METRIC_COLUMNS)]) == METRIC_COLUMNS and "learner" in table
    report = tmp_path / "report.html"
    with exclusive(finished.parent):
        output = snakemake(finished, "--report", str(report))
    assert "(ERROR/" not in output and "(WARNING/" not in output
    assert "System Message" not in report.read_text()


@pytest.mark.parametrize("experiment", ["fp1d_step", "dfp_resnet"])
def test_a_claims_edit_plans_its_claims_and_figure_only(finished_some, experiment):
    with edited(finished_some, f"src/fprinciple/experiments/{experiment}/claims.py"):
        jobs = planned(finished_some)
    rerun = [f"experiment_claims {experiment}", f"figure {experiment}", "claims: the claims table"]
    assert jobs == sorted([*rerun, "all: figures and claims"])


def test_a_claim_setting_edit_trains_nothing(finished_some):
    """A claim's threshold in the experiment's config reaches its claims, not its training jobs."""
    path = finished_some / "src/fprinciple/experiments/fp_image/config.yaml"
    original = path.read_text()
    before, smoke, section = original.rpartition("\nsmoke:")  # the section this run uses
    assert smoke and section.count("final_error_max: 0.1}") == 1
    with exclusive(finished_some.parent):
        path.write_text(before + smoke + section.replace("final_error_max: 0.1}", "final_error_max: 0.11}"))
        try:
            jobs = planned(finished_some)
        finally:
            path.write_text(original)
    rerun = ["experiment_claims fp_image", "figure fp_image", "claims: the claims table"]
    assert jobs == sorted([*rerun, "all: figures and claims"])


@pytest.mark.parametrize("shared", ["src/fprinciple/analysis/fit1d.py", "src/fprinciple/figures/style.py"])
def test_an_edit_of_shared_analysis_or_drawing_code_trains_nothing(finished_some, shared):
    """fit1d.py: the claims of the 1-D fits and what follows them; style.py: every figure."""
    assert users("experiment_claims", "src/fprinciple/analysis/fit1d.py") == {"fp1d_step", "fp1d_equal_amp"}
    assert users("figure", shared) or users("experiment_claims", shared), "no experiment uses it"
    with edited(finished_some, shared):
        jobs = planned(finished_some)
    assert not experiments_of(jobs, "train") and not experiments_of(jobs, "aggregate")
    assert jobs == expected(shared)


def test_a_figure_edit_plans_that_figure_only(finished_some):
    with edited(finished_some, "src/fprinciple/experiments/fp_image/figure.py"):
        jobs = planned(finished_some)
    assert jobs == ["all: figures and claims", "figure fp_image"]


def test_a_trainer_edit_retrains_exactly_the_experiments_that_import_it(finished_some):
    trainer = "src/fprinciple/training/trainer.py"
    using = users("train", trainer)  # today every one: fprinciple.runner imports fprinciple.training
    assert using, "no experiment's run side imports the trainer"
    with edited(finished_some, trainer):
        jobs = planned(finished_some)
    assert experiments_of(jobs, "train") == using
    assert jobs == sorted(expected(trainer) + [j for j in jobs if j.startswith("train ")])
