"""Atomic writes and run metadata: nothing half-written ever sits at an output path."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import traceback
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from importlib import metadata
from pathlib import Path

import pandas as pd

from .errors import UserError

METRIC_COLUMNS = ["experiment", "run", "seed", "step", "metric", "key", "value"]


@contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path next to `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp creates the file 0600; give the result the mode a plain open() would (0644 under
        # umask 022), so colleagues on a shared cluster can read it.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_parquet(df: pd.DataFrame, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


def write_text(text: str, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_json(obj, path: str | os.PathLike) -> None:
    write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", path)


def concat_parquet(paths) -> pd.DataFrame:
    """Concatenate parquet tables (the runs of an experiment, the claims of all experiments)."""
    return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)


def library_versions() -> dict[str, str]:
    names = ["fprinciple", "torch", "numpy", "pandas", "pyarrow", "snakemake"]
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@contextmanager
def logging_to(path: str | os.PathLike):
    """Send stdout and stderr (tqdm, warnings, tracebacks) of a rule's script to its log file.

    A ``UserError`` (bad config or data files, diverged training) is the user's to fix and its
    message says how, so the log gets that message alone and the script exits with status 1.
    Snakemake prints a failed job's log (show-failed-logs, set in profiles/default), so the
    console shows the message once. Any other exception is a bug: its traceback goes to the log
    and the exception propagates.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Line-buffered: a job killed mid-run still leaves what it printed (e.g. where it resumed).
    with open(path, "w", buffering=1) as log:
        try:
            with redirect_stdout(log), redirect_stderr(log):
                yield
        except UserError as err:
            print(f"{type(err).__name__}: {err}", file=log)
            raise SystemExit(1) from None
        except KeyboardInterrupt:  # Ctrl-C: not a bug; the run's checkpoint resumes it
            print("interrupted (Ctrl-C)", file=log)
            raise SystemExit(130) from None
        except BaseException:
            traceback.print_exc(file=log)
            raise
