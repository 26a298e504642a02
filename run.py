#!/usr/bin/env python3
"""Install fprinciple into ./.venv and run it.

    python3 run.py figures [ID ...] [snakemake args...]
        install, then `snakemake --cores <this machine's cores>`: every experiment's figures and the
        claims table, or only the experiments named by id (e.g. fp1d_step) with their claims
    python3 run.py report [ID ...] [snakemake args...]
        the HTML report (figures, captions, claims) of a finished run, or of the experiments
        named by id: results/<scale>/report.html
    python3 run.py check FILE [FILE ...]
        check config files the way the workflow does (python -m fprinciple.config)
    python3 run.py rehearsal [snakemake args...]
        the paper-scale rehearsal: config/paper.yaml for 3 steps a loop and one seed, and the cost
        of the full run (results/rehearsal/cost.md); e.g. --config data_root=DIR
    python3 run.py test [pytest args...]
        the test suite (pytest)
    python3 run.py list
        every experiment: its id, the paper figure it regenerates, its folder
    python3 run.py new ID
        write src/fprinciple/experiments/ID/, a working experiment to make your own
        (docs/adding_an_experiment.md)

Snakemake args are e.g. --configfile config/paper.yaml (the papers' settings; default: the quick
scale, config/config.yaml), --cores 4, -n (list the jobs only). Ctrl-C stops a run; the same
command resumes it. Needs only python3 (3.11+). On a machine without an NVIDIA GPU it pins the CPU
build of torch (torch 2.13.0, torchvision 0.28.0) before anything else can pull in GBs of CUDA
packages.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
CPU_TORCH = ["torch==2.13.0", "torchvision==0.28.0"]
PAPER_CONFIG = "config/paper.yaml"
QUICK_CONFIG = "config/config.yaml"
REHEARSAL_STEPS = 3  # fprinciple.rehearsal.DEFAULT_STEPS (run.py imports nothing of the project)
COMMANDS = ("figures", "report", "check", "rehearsal", "test", "list", "new", "help")
# The experiment ids: one folder each (fprinciple.experiments.ids reads them the same way).
EXPERIMENTS = ROOT / "src" / "fprinciple" / "experiments"
EXPERIMENT_IDS = sorted(p.parent.name for p in EXPERIMENTS.glob("*/__init__.py") if not p.parent.name.startswith("_"))
INTERRUPTED = 130  # a shell's status for a command stopped by Ctrl-C (128 + SIGINT)


class UsageError(Exception):
    """A command line run.py refuses before installing or starting anything (exit status 2)."""


def has_gpu() -> bool:
    nvidia_smi = shutil.which("nvidia-smi")
    return nvidia_smi is not None and subprocess.run([nvidia_smi], capture_output=True).returncode == 0


def pip(*args: str) -> None:
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", *args], check=True)


def install() -> None:
    """Create .venv and install the project with its test tools; skipped when nothing relevant
    changed since last time. One install for every command, so switching between `figures` and
    `test` installs nothing."""
    if sys.version_info < (3, 11):  # noqa: UP036 (run.py runs under any python3, maybe older than pyproject's)
        sys.exit(f"fprinciple needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    gpu = has_gpu()
    stamp = VENV / ".fprinciple-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + f"test{gpu}".encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not BIN.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    if not gpu:
        print(f"no NVIDIA GPU found: installing the CPU build ({', '.join(CPU_TORCH)})", flush=True)
        pip(*CPU_TORCH)
    print("installing fprinciple[test]", flush=True)
    pip("--editable", f"{ROOT}[test]")
    stamp.write_text(digest)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity: a container's or a batch job's share)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def sets_cores(args: list[str]) -> bool:
    """Whether snakemake arguments already set the core or job count (-c 4, -c4, --cores=4, -j, --jobs)."""
    for arg in args:
        name = arg.split("=", 1)[0]
        if arg[:2] in ("-c", "-j"):  # a value may follow attached: -c4, -call
            return True
        # argparse also takes an unambiguous prefix of a long option: --cor, --core (--jo: --jobscript too)
        if name == "--jobs" or (len(name) >= 5 and "--cores".startswith(name)):
            return True
    return False


def config_files(args: list[str]) -> list[str]:
    """The files given with --configfile (also --configfile=X, and several after one flag)."""
    files = []
    for index, arg in enumerate(args):
        if arg.startswith("--configfile="):
            files.append(arg.split("=", 1)[1])
        elif arg == "--configfile":
            for value in args[index + 1 :]:
                if value.startswith("-"):
                    break
                files.append(value)
    return files


def add_config(args: list[str], setting: str) -> list[str]:
    """``args`` with ``key=value`` added to the user's own --config values if any (a second
    --config would replace them), unless they set that key themselves."""
    key = setting.split("=", 1)[0] + "="
    if any(arg.startswith(key) for arg in args):
        return list(args)
    if "--config" in args:
        at = args.index("--config") + 1
        return [*args[:at], setting, *args[at:]]
    return [*args, "--config", setting]


def rehearsal_args(args: list[str]) -> list[str]:
    """The user's snakemake arguments plus the rehearsal's: config/paper.yaml unless a
    --configfile is given, and rehearsal=3 unless they set it."""
    if not config_files(args):
        args = ["--configfile", PAPER_CONFIG, *args]
    return add_config(args, f"rehearsal={REHEARSAL_STEPS}")


def closest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}')" if close else ""


def experiments_first(args: list[str]) -> tuple[list[str], list[str]]:
    """(experiment ids, the rest): the ids are the leading words before any option; a path (a
    Snakemake target such as results/quick/figures/fp1d_step.png) is left to Snakemake."""
    ids = []
    for arg in args:
        if arg.startswith("-") or "/" in arg or "." in arg:
            break
        if arg not in EXPERIMENT_IDS:
            raise UsageError(
                f"unknown experiment '{arg}'{closest(arg, EXPERIMENT_IDS)}; python3 run.py list names them all"
            )
        ids.append(arg)
    return ids, args[len(ids) :]


def results_folder(args: list[str]) -> str:
    """The folder of the run these snakemake arguments make (the Snakefile's rule): a
    `results` setting, else results/rehearsal in a rehearsal, else results/<scale> with the
    scale of the (last) config file given, or of the quick config."""
    settings = dict(arg.split("=", 1) for arg in args if re.fullmatch(r"\w+=.*", arg))
    text = (ROOT / (config_files(args) or [QUICK_CONFIG])[-1]).read_text(encoding="utf-8")
    own = re.search(r"^results:\s*(\S+)", text, re.M)
    if "results" in settings or own:
        return settings.get("results") or own[1]
    if "rehearsal" in settings:
        return "results/rehearsal"
    scale = settings.get("scale") or re.search(r"^scale:\s*(\w+)", text, re.M)[1]
    return f"results/{scale}"


def snakemake(args: list[str]) -> list[str]:
    """The snakemake command line; it gets the available cores unless the arguments set them: it
    runs jobs whose rule threads add up to at most that, and each job keeps to its threads
    (torch.set_num_threads), so the machine is never oversubscribed."""
    cores = [] if sets_cores(args) else ["--cores", str(available_cores())]
    return [str(BIN / "snakemake"), *cores, *args]


def command(name: str, args: list[str]) -> list[str]:
    """The command line of a run.py command with the user's extra arguments."""
    if name in ("figures", "report"):
        ids, args = experiments_first(args)
        args = add_config(args, f"only=[{','.join(ids)}]") if ids else args
        if name == "figures":
            return snakemake(args)
        return [str(BIN / "snakemake"), *args, "--report", f"{results_folder(args)}/report.html"]
    if name == "rehearsal":
        return snakemake(rehearsal_args(args))
    if name == "check":
        if not args:
            raise UsageError("check needs config files: python3 run.py check config/paper.yaml")
        return [str(BIN / "python"), "-m", "fprinciple.config", *args]
    if name == "test":
        return [str(BIN / "python"), "-m", "pytest", *args]
    if name == "list":
        return [str(BIN / "python"), "-m", "fprinciple.experiments", *args]
    if name == "new":
        if len(args) != 1:
            raise UsageError("new needs one id: python3 run.py new my_fit")
        return [str(BIN / "python"), "-m", "fprinciple.scaffold", *args]
    raise KeyError(name)


def refuse_missing_config_files(name: str, args: list[str]) -> None:
    """A --configfile that does not exist, named in one line before anything starts (Snakemake
    would answer with a traceback)."""
    if name in ("figures", "report", "rehearsal"):
        for path in config_files(args):
            if not (ROOT / path).is_file():
                raise UsageError(f"config file {path} not found (paths are relative to {ROOT})")


def run(line: list[str]) -> int:
    """Run ``line`` and return its status. Ctrl-C reaches it too (the terminal signals the whole
    process group): wait until it has shut down (Snakemake removes its locks; the jobs it stopped
    stay marked incomplete, so the next run redoes them, training from its checkpoint), then say
    how to resume."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    process = subprocess.Popen(line, cwd=ROOT, env=env)
    interrupted = False
    while True:
        try:
            status = process.wait()
            break
        except KeyboardInterrupt:
            interrupted = True
    if interrupted or status in (INTERRUPTED, -2):
        print("interrupted; run the same command to resume", file=sys.stderr)
        return INTERRUPTED
    return status


def main(argv: list[str]) -> int:
    if argv[:1] in (["help"], ["-h"], ["--help"]):
        print(__doc__)
        return 0
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    name, args = argv[0], argv[1:]
    try:
        if name not in COMMANDS:
            raise UsageError(f"unknown command '{name}'{closest(name, COMMANDS)}; python3 run.py --help lists them")
        refuse_missing_config_files(name, args)
        line = command(name, args)
    except UsageError as error:
        print(f"run.py: {error}", file=sys.stderr)
        return 2
    try:
        install()
    except KeyboardInterrupt:
        print("interrupted; run the same command to resume", file=sys.stderr)
        return INTERRUPTED
    status = run(line)
    if name == "report" and status == 0:
        print(f"report: {line[-1]}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
