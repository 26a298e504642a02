"""The code passes `ruff check` and is `ruff format`ted (settings: pyproject.toml's [tool.ruff])."""

import subprocess
import sys

from .conftest import ROOT


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_is_clean():
    result = ruff("check", "--no-cache", ".")
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\nfix: ruff check --fix (then review the diff)"


def test_ruff_format_leaves_the_code_unchanged():
    result = ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\nfix: ruff format"
