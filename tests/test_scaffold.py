"""``python3 run.py new <id>`` (fprinciple.scaffold): a bad id is refused with the fix and
nothing written; a good one gives a folder that is complete (tests/test_consistency.py checks it
piece by piece), keeps its sides apart, and runs through the smoke DAG with its claim and figure."""

import importlib.util
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from fprinciple import experiments, scaffold
from fprinciple.consistency import missing_pieces

from .conftest import ROOT, checkout_files


@pytest.mark.parametrize(
    "bad,words",
    [
        ("My_Fit", "lower-case letters"),
        ("2fit", "starting with a letter"),
        ("my-fit", "lower-case letters"),
        ("class", "not a usable id"),
        ("fp1d_step", "exists already"),
    ],
)
def test_a_bad_id_is_refused_and_nothing_is_written(tmp_path, bad, words):
    (tmp_path / "fp1d_step").mkdir()  # an experiment of that name is there already
    before = sorted(tmp_path.iterdir())
    with pytest.raises(scaffold.NewExperimentError, match=words):
        scaffold.write(bad, tmp_path)
    assert sorted(tmp_path.iterdir()) == before


def test_the_command_line_refuses_a_bad_id_with_status_2(capsys):
    assert scaffold.main(["My_Fit"]) == 2
    assert capsys.readouterr().err.startswith("run.py new: 'My_Fit' is not a usable id")


def test_it_writes_every_file_of_an_experiment(tmp_path):
    folder = scaffold.write("my_fit", tmp_path)
    assert folder == tmp_path / "my_fit"
    assert sorted(p.name for p in folder.iterdir()) == sorted(scaffold.FILES)
    assert "my_fit" in (folder / "README.md").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


@pytest.fixture(scope="module")
def checkout_with_new_experiment(tmp_path_factory):
    """A copy of the checkout in which ``run.py new toy_fit`` wrote its folder."""
    copy = tmp_path_factory.mktemp("checkout")
    for relative in checkout_files():
        if (ROOT / relative).is_file():
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, copy / relative)
    result = subprocess.run(
        [sys.executable, "-m", "fprinciple.scaffold", "toy_fit"],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("Wrote src/fprinciple/experiments/toy_fit/"), result.stdout
    assert "python3 run.py figures toy_fit --configfile config/smoke.yaml" in result.stdout
    return copy


def test_the_new_folder_is_complete_and_keeps_its_sides_apart(checkout_with_new_experiment):
    copy = checkout_with_new_experiment
    assert missing_pieces(["toy_fit"], copy) == []
    layers = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "tests/test_layers.py",
            "-k",
            "toy_fit",
        ],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert layers.returncode == 0 and " passed" in layers.stdout, layers.stdout[-2000:]


@pytest.mark.smoke
def test_the_new_experiment_runs_through_the_smoke_dag(checkout_with_new_experiment):
    copy = checkout_with_new_experiment
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "1",
            "--configfile",
            "config/smoke.yaml",
            "--config",
            "only=[toy_fit]",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (copy / "results/smoke/figures/toy_fit.png").is_file()
    claims = pd.read_parquet(copy / "results/smoke/claims/toy_fit.parquet")
    assert claims["claim"].tolist() == ["convergence_order"]
    assert {"control_frozen", "control_mean", "control_opposite"} <= set(claims.columns)


def test_run_py_new_and_list_run_the_library_after_install():
    spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
    run_py = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_py)
    python = str(run_py.BIN / "python")
    assert run_py.command("new", ["my_fit"]) == [python, "-m", "fprinciple.scaffold", "my_fit"]
    assert run_py.command("list", []) == [python, "-m", "fprinciple.experiments"]
    with pytest.raises(run_py.UsageError, match="new needs one id"):
        run_py.command("new", [])


def test_list_names_every_experiment_with_its_page():
    listed = subprocess.run(
        [sys.executable, "-m", "fprinciple.experiments"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for experiment in experiments.ids():
        assert f"src/fprinciple/experiments/{experiment}/README.md" in listed
