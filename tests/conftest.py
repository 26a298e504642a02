"""Shared fixtures: the repo's own configs, and a tiny fit1d config that trains in a second."""

import copy
import os
from pathlib import Path

import pytest
import torch
import yaml

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
    return yaml.safe_load((ROOT / "config" / name).read_text())


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
