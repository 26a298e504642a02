"""Kill a whole Snakemake run with SIGKILL, as a user's bad day would: Snakemake and every job
process at once (``os.killpg``), at a chosen moment. Shared by tests/test_resume.py and
benchmarks/bench_kill_resume.py."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]
TRAINED_RUN = "results/quick/runs/fp1d_snapshots/seeds-0"
STEPS = 2000  # the trained run's steps: its first checkpoint comes at 5% of training
STALE_LOCK_MESSAGE = "Removed the stale lock of a killed Snakemake run"


def tiny_config(path: Path) -> str:
    """Two cheap experiments of the quick config: one trained net that checkpoints every 100
    of its 2000 steps, and an exact-theory experiment (mpmath, no training). The file holds the
    quick scale's top-level keys and, over those experiments' quick sections, what shrinks them."""
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    cfg["experiments"] = {
        "fp1d_snapshots": {
            "seeds": [0],
            "steps": STEPS,
            "log_every": 100,
            "snapshot_steps": [0, 100, STEPS],
            "model": {"hidden": [32, 32]},
        },
        "basri_asymptotics": {
            "dims": {"min": 2, "max": 10, "step": 4},
            "degrees": {"min": 800, "max": 820, "step": 10},
            "curve_dims": [2, 10],
        },
    }
    cfg["only"] = list(cfg["experiments"])  # the others' sections are read too, but not run
    cfg["train"].update(checkpoint_every=100, progress=False)
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def interruptible() -> None:
    """``preexec_fn`` of a child that Ctrl-C must reach: SIGINT back to its default, which a
    shell's background job (CI under nohup, `cmd &`) inherits as ignored, and Python then keeps."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Run:
    """`snakemake -d workdir *args` in a process group of its own, its output collected as it comes."""

    def __init__(self, workdir: Path, *args: str):
        self.process = subprocess.Popen(
            [*SNAKEMAKE, "-d", str(workdir), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.started = time.time()
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def kill_when(self, condition: Callable[[Run], bool], timeout: float = 300) -> None:
        """SIGKILL the whole process group as soon as `condition(self)` holds; fail if the run
        ends (or `timeout` passes) first."""
        deadline = time.time() + timeout
        while not condition(self):
            if self.process.poll() is not None or time.time() > deadline:
                self.kill()
                raise AssertionError(
                    f"the run ended (rc {self.process.returncode}) before the kill point:\n{self.output[-4000:]}"
                )
            time.sleep(0.01)
        self.kill()

    def kill_after(self, seconds: float) -> bool:
        """SIGKILL the whole process group `seconds` after the start; False if it ended before."""
        while time.time() - self.started < seconds:
            if self.process.poll() is not None:
                self._reader.join(timeout=10)
                return False
            time.sleep(0.01)
        self.kill()
        return True

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self._reader.join(timeout=10)
        deadline = time.time() + 30
        while _alive_in_group(self.process.pid) and time.time() < deadline:
            time.sleep(0.01)  # every job process gone, as before any real rerun

    def finish(self, timeout: float = 300) -> int:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"still running after {timeout} s (killed):\n{self.output[-4000:]}") from None
        self._reader.join(timeout=10)
        return self.process.returncode


def _alive_in_group(pgid: int) -> bool:
    """Whether a process of group `pgid` is still running (zombies, waiting to be reaped, are not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def wrote_since_start(path: Path) -> Callable[[Run], bool]:
    """True once `path` was written by this run (not by an earlier attempt)."""
    return lambda run: path.exists() and path.stat().st_mtime >= run.started


def printed(pattern: str) -> Callable[[Run], bool]:
    return lambda run: re.search(pattern, run.output, re.MULTILINE) is not None


def results(workdir: Path) -> dict[str, pd.DataFrame]:
    """Every parquet of a finished run: the metrics of each run, the tables and the claims."""
    folder = workdir / "results" / "quick"
    return {str(p.relative_to(folder)): pd.read_parquet(p) for p in sorted(folder.rglob("*.parquet"))}


def assert_same_results(workdir: Path, reference: Path) -> None:
    got, expected = results(workdir), results(reference)
    assert sorted(got) == sorted(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(got[name], frame, obj=name)
