#!/usr/bin/env python3
"""Install fprinciple into ./.venv and run it: the two Quick start commands of README.md.

    python3 run.py figures [snakemake args...]   install, then `snakemake --cores 8` (quick scale)
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


def main(argv: list[str]) -> int:
    commands = {"figures": ("", ["snakemake", "--cores", "8"]), "test": ("test", ["python", "-m", "pytest"])}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    extras, command = commands[argv[0]]
    install(extras)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(BIN / command[0]), *command[1:], *argv[1:]], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
