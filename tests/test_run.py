"""run.py builds its commands without installing anything: `figures` uses this machine's cores
unless the user sets the core or job count."""

import importlib.util

import pytest

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
run_py = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_py)


def test_figures_uses_the_cores_this_process_may_run_on(monkeypatch):
    monkeypatch.setattr(run_py.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    extras, line = run_py.command("figures", ["--configfile", "config/paper.yaml"])
    assert extras == ""
    assert line == [str(run_py.BIN / "snakemake"), "--cores", "2", "--configfile", "config/paper.yaml"]


@pytest.mark.parametrize(
    "args", [["--cores", "4"], ["--cores=4"], ["-c", "4"], ["-c4"], ["-j", "3"], ["-j3"], ["--jobs", "100"],
             ["--jobs=5"], ["--core", "4"], ["-n", "--cores", "all"], ["-call"], ["-c"]],
)
def test_the_users_core_or_job_count_wins(args):
    _, line = run_py.command("figures", args)
    assert line == [str(run_py.BIN / "snakemake"), *args]


@pytest.mark.parametrize("args", [["-n"], ["--configfile", "c.yaml"], ["--config", "scale=quick"],
                                  ["--conda-frontend", "mamba"], ["--co", "x"]])
def test_other_arguments_do_not_set_cores(args):
    _, line = run_py.command("figures", args)
    assert line[1:3] == ["--cores", str(run_py.available_cores())] and line[3:] == args


def test_test_command_passes_arguments_to_pytest():
    assert run_py.command("test", ["-k", "trainer"]) == ("test", [str(run_py.BIN / "python"), "-m", "pytest", "-k", "trainer"])


def test_unknown_command_prints_usage(capsys):
    assert run_py.main(["plots"]) == 2
    assert "python3 run.py figures" in capsys.readouterr().out
