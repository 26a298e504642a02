#!/usr/bin/env python3
"""Install fprinciple into ./.venv and run it: the two Quick start commands of README.md.

    python3 run.py figures [snakemake args...]   install, then `snakemake --cores <this machine's cores>`
    python3 run.py rehearsal [snakemake args...] install, then the paper-scale rehearsal: config/paper.yaml
                                                 for 3 steps a loop and one seed, and the cost of the full
                                                 run (results/rehearsal/cost.md); e.g. --config data_root=DIR
    python3 run.py test [pytest args...]         install with test tools, then the test suite

Needs only python3 (3.11+). On a machine without an NVIDIA GPU it pins the CPU build of torch
(torch 2.13.0, torchvision 0.28.0) before anything else can pull in GBs of CUDA packages.
"""

from __future__ import annotations

import hashlib
import os
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
REHEARSAL_STEPS = 3  # fprinciple.rehearsal.DEFAULT_STEPS (run.py imports nothing of the project)


def has_gpu() -> bool:
    nvidia_smi = shutil.which("nvidia-smi")
    return nvidia_smi is not None and subprocess.run([nvidia_smi], capture_output=True).returncode == 0


def pip(*args: str) -> None:
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", *args], check=True)


def install(extras: str) -> None:
    """Create .venv and install the project; skipped when nothing relevant changed since last time."""
    if sys.version_info < (3, 11):
        sys.exit(f"fprinciple needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    gpu = has_gpu()
    stamp = VENV / ".fprinciple-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + f"{extras}{gpu}".encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not BIN.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    if not gpu:
        print(f"no NVIDIA GPU found: installing the CPU build ({', '.join(CPU_TORCH)})", flush=True)
        pip(*CPU_TORCH)
    print(f"installing fprinciple[{extras}]" if extras else "installing fprinciple", flush=True)
    pip("--editable", f"{ROOT}[{extras}]" if extras else str(ROOT))
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


def rehearsal_args(args: list[str]) -> list[str]:
    """The user's snakemake arguments plus the rehearsal's: config/paper.yaml unless a
    --configfile is given, and rehearsal=3 added to the user's own --config values if any (a
    second --config would replace them) unless they set it."""
    args = list(args)
    if not any(arg.split("=", 1)[0] == "--configfile" for arg in args):
        args = ["--configfile", PAPER_CONFIG, *args]
    if any(arg.startswith("rehearsal=") for arg in args):
        return args
    if "--config" in args:
        args.insert(args.index("--config") + 1, f"rehearsal={REHEARSAL_STEPS}")
        return args
    return [*args, "--config", f"rehearsal={REHEARSAL_STEPS}"]


def command(name: str, args: list[str]) -> tuple[str, list[str]]:
    """(pip extras to install, command line) of a run.py command with the user's extra arguments.

    `figures` gives Snakemake the available cores unless the arguments set them: it runs jobs whose
    rule threads add up to at most that, and each job keeps to its threads (torch.set_num_threads),
    so the machine is never oversubscribed.
    """
    if name in ("figures", "rehearsal"):
        args = rehearsal_args(args) if name == "rehearsal" else args
        cores = [] if sets_cores(args) else ["--cores", str(available_cores())]
        return "", [str(BIN / "snakemake"), *cores, *args]
    if name == "test":
        return "test", [str(BIN / "python"), "-m", "pytest", *args]
    raise KeyError(name)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("figures", "rehearsal", "test"):
        print(__doc__)
        return 2
    extras, line = command(argv[0], argv[1:])
    install(extras)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(line, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
