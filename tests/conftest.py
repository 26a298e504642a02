"""Shared fixtures: the repo's own configs, and a tiny fit1d config that trains in a second."""

import copy
import fnmatch
import os
import subprocess
from pathlib import Path

import pytest
import torch

from fprinciple.config import load_and_validate

# Tests train many tiny nets: one intra-op thread avoids oversubscribing a small CI machine
# (two threads on two busy cores made tiny steps ~100x slower).
torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]

# Real MNIST: FPRINCIPLE_MNIST_ROOT, else the checkout's data/ (where config/paper.yaml downloads it).
MNIST_ROOT = Path(os.environ.get("FPRINCIPLE_MNIST_ROOT", ROOT / "data"))
MNIST_RAW = MNIST_ROOT / "MNIST" / "raw"
needs_mnist = pytest.mark.skipif(
    not MNIST_RAW.is_dir(),
    reason=f"no real MNIST at {MNIST_RAW}: set FPRINCIPLE_MNIST_ROOT to a folder holding MNIST/raw",
)


def load_config(name: str = "config.yaml") -> dict:
    """A shipped config as the workflow runs it: the top-level file with every experiment's
    section for its scale filled in (``fprinciple.config``)."""
    return load_and_validate([ROOT / "config" / name])


@pytest.fixture
def quick_config() -> dict:
    return load_config()


@pytest.fixture
def tiny_fit1d(quick_config) -> dict:
    """fp1d_equal_amp shrunk to a few hundred cheap steps."""
    cfg = copy.deepcopy(quick_config["experiments"]["fp1d_equal_amp"])
    cfg["model"]["hidden"] = [16, 16]
    cfg["steps"], cfg["log_every"], cfg["seeds"] = 60, 10, [0]
    return cfg


def in_git_checkout() -> bool:
    """Whether ROOT is the top of a git work tree (not a source archive, nor a folder inside another
    repository)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True)
    except FileNotFoundError:  # no git on this machine
        return False
    return top.returncode == 0 and Path(top.stdout.strip()).resolve() == ROOT.resolve()


def checkout_files() -> list[str]:
    """The checkout's files relative to ROOT: git's tracked and new, not ignored, ones; in a source
    archive without .git, the tree less the paths that .gitignore's patterns match."""
    if in_git_checkout():
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return listed.stdout.splitlines()
    lines = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()]
    patterns = [line.strip("/") for line in lines if line and not line.startswith("#")]
    assert not [p for p in patterns if p.startswith("!")], ".gitignore negations: list the files with git"

    def ignored(relative: str) -> bool:
        return any(fnmatch.fnmatch(Path(relative).name, p) or fnmatch.fnmatch(relative, p) for p in patterns)

    files = []
    for folder, subfolders, names in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        subfolders[:] = [d for d in subfolders if d != ".git" and not ignored(str(here / d))]
        files += [str(here / name) for name in names if not ignored(str(here / name))]
    return sorted(files)
