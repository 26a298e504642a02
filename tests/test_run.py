"""run.py builds its commands without installing anything: `figures` uses this machine's cores
unless the user sets the core or job count, takes experiment ids, `report` writes into the run's
results folder, and a bad command line is refused with exit status 2 before anything starts."""

import importlib.util
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from fprinciple import experiments

from .conftest import ROOT
from .killing import interruptible

spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
run_py = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_py)

SNAKEMAKE = str(run_py.BIN / "snakemake")


@pytest.fixture
def no_install(monkeypatch):
    """main() must refuse a bad command line before it installs or runs anything."""

    def refuse(*args):
        raise AssertionError("installed or ran something")

    monkeypatch.setattr(run_py, "install", refuse)
    monkeypatch.setattr(run_py, "run", refuse)


def test_figures_uses_the_cores_this_process_may_run_on(monkeypatch):
    monkeypatch.setattr(run_py.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    line = run_py.command("figures", ["--configfile", "config/paper.yaml"])
    assert line == [SNAKEMAKE, "--cores", "2", "--configfile", "config/paper.yaml"]


@pytest.mark.parametrize(
    "args",
    [
        ["--cores", "4"],
        ["--cores=4"],
        ["-c", "4"],
        ["-c4"],
        ["-j", "3"],
        ["-j3"],
        ["--jobs", "100"],
        ["--jobs=5"],
        ["--core", "4"],
        ["-n", "--cores", "all"],
        ["-call"],
        ["-c"],
    ],
)
def test_the_users_core_or_job_count_wins(args):
    assert run_py.command("figures", args) == [SNAKEMAKE, *args]


@pytest.mark.parametrize(
    "args",
    [["-n"], ["--configfile", "c.yaml"], ["--config", "scale=quick"], ["--conda-frontend", "mamba"], ["--co", "x"]],
)
def test_other_arguments_do_not_set_cores(args):
    line = run_py.command("figures", args)
    assert line[1:3] == ["--cores", str(run_py.available_cores())] and line[3:] == args


@pytest.mark.parametrize(
    "args, expected",
    [
        (["fp1d_step"], ["--config", "only=[fp1d_step]"]),
        (["fp1d_step", "fp_nongd", "-n"], ["-n", "--config", "only=[fp1d_step,fp_nongd]"]),
        # the user's own --config values are kept: a second --config would replace them
        (["fp1d_step", "--config", "device=cpu"], ["--config", "only=[fp1d_step]", "device=cpu"]),
        # a path is a Snakemake target, not an id
        (["results/quick/figures/fp1d_step.png"], ["results/quick/figures/fp1d_step.png"]),
    ],
)
def test_figures_takes_experiment_ids_first(args, expected):
    assert run_py.command("figures", args)[3:] == expected


def test_run_py_knows_the_registrys_experiment_ids():
    assert run_py.EXPERIMENT_IDS == sorted(experiments.ids())


@pytest.mark.parametrize(
    "args, folder",
    [
        ([], "results/quick"),
        (["--configfile", "config/paper.yaml"], "results/paper"),
        (["--configfile=config/smoke.yaml"], "results/smoke"),
        (["--configfile", "config/paper.yaml", "--config", "rehearsal=3"], "results/rehearsal"),
        (["--config", "results=/tmp/elsewhere"], "/tmp/elsewhere"),
    ],
)
def test_report_is_written_into_the_runs_results_folder(args, folder):
    assert run_py.command("report", args) == [SNAKEMAKE, *args, "--report", f"{folder}/report.html"]


def test_check_validates_config_files_with_the_workflows_checker():
    line = run_py.command("check", ["config/paper.yaml", "my.yaml"])
    assert line == [str(run_py.BIN / "python"), "-m", "fprinciple.config", "config/paper.yaml", "my.yaml"]


def test_rehearsal_runs_the_paper_config_truncated():
    assert run_py.command("rehearsal", ["--cores", "2"]) == [
        SNAKEMAKE,
        "--configfile",
        "config/paper.yaml",
        "--cores",
        "2",
        "--config",
        "rehearsal=3",
    ]
    assert run_py.command("rehearsal", ["-c2", "--config", "data_root=d"])[-3:] == [
        "--config",
        "rehearsal=3",
        "data_root=d",
    ]


def test_test_command_passes_arguments_to_pytest():
    assert run_py.command("test", ["-k", "trainer"]) == [str(run_py.BIN / "python"), "-m", "pytest", "-k", "trainer"]


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["help"]])
def test_help_prints_the_usage_and_succeeds(argv, capsys, no_install):
    assert run_py.main(argv) == 0
    out = capsys.readouterr().out
    assert "python3 run.py figures [ID ...]" in out and "python3 run.py report" in out and "run.py check" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["figure"], "run.py: unknown command 'figure' (did you mean 'figures')"),
        (["figures", "fp1d_stp"], "run.py: unknown experiment 'fp1d_stp' (did you mean 'fp1d_step')"),
        (["figures", "--configfile", "config/nope.yaml"], "run.py: config file config/nope.yaml not found"),
        (["report", "--configfile=config/nope.yaml"], "run.py: config file config/nope.yaml not found"),
        (["check"], "run.py: check needs config files"),
    ],
)
def test_a_bad_command_line_is_one_message_and_status_2(argv, message, capsys, no_install):
    assert run_py.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message) and captured.err.count("\n") == 1 and captured.out == ""


def test_no_command_prints_the_usage_as_an_error(capsys, no_install):
    assert run_py.main([]) == 2
    assert "python3 run.py figures" in capsys.readouterr().err


def test_ctrl_c_is_waited_for_then_answered_with_one_line(tmp_path):
    """The terminal's SIGINT reaches run.py and its command alike: run.py waits for the command to
    finish shutting down, then says how to resume, with status 130 and no traceback."""
    child = textwrap.dedent("""
        import sys, time
        try:
            print("started", flush=True)
            time.sleep(60)
        except KeyboardInterrupt:
            time.sleep(1)  # shutting down takes a while
            print("child shut down", flush=True)
            sys.exit(130)
    """)
    driver = (
        f"import importlib.util, sys; spec = importlib.util.spec_from_file_location('r', {str(ROOT / 'run.py')!r}); "
        "r = importlib.util.module_from_spec(spec); spec.loader.exec_module(r); "
        f"sys.exit(r.run([sys.executable, '-c', {child!r}]))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", driver],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    assert process.stdout.readline() == "started\n"
    os.killpg(process.pid, signal.SIGINT)
    output = process.communicate(timeout=30)[0]
    assert process.returncode == 130
    assert output == "child shut down\ninterrupted; run the same command to resume\n"
