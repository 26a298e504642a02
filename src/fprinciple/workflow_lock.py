"""Stale Snakemake locks are removed by the next run, so a killed run resumes without --unlock.

Snakemake lists the files a run works on in ``.snakemake/locks/`` and deletes the list when it
exits; a run killed with SIGKILL (or by a lost SSH session, an OOM kill, a node reboot) cannot,
and every later run stops with LockException until someone runs ``--unlock``. Snakemake cannot
tell a dead run's locks from a live run's. The workflow makes that knowable: every main
Snakemake process of it (not the job processes, which parse the Snakefile again) holds a shared
``flock`` on ``.snakemake/workflow.flock`` from parsing until it exits, and the kernel drops a
flock when its process dies, however it dies. A process that gets the lock *exclusively* is
therefore the only live one in this directory; any lock files present belong to a dead run, so
it deletes them (and says so in one line) before Snakemake checks them, then keeps its share.
On NFS (a cluster's shared home) Linux maps flock to NFS byte-range locks, which other clients
see; where there is no flock (a file system mounted without it, Windows), nothing is removed and
a killed run needs --unlock as before.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

# Open for the life of the process: closing the file would release the flock.
_held: dict[Path, IO] = {}


def hold(state_dir: str | Path = ".snakemake") -> list[Path]:
    """Hold this process's share of the workflow lock in ``state_dir`` (Snakemake's folder);
    if no other process holds one, first delete the lock files a killed run left there.

    Returns the deleted lock files. Snakemake's own lock check then still guards two live runs.
    """
    path = Path(state_dir).resolve() / "workflow.flock"
    if fcntl is None or path in _held:  # no flock here, or parsed again in this process: held already
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = _held[path] = open(path, "a")  # held open until the process exits
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # another run of this workflow is alive: its locks are real
        fcntl.flock(handle, fcntl.LOCK_SH)  # waits only while a starting run clears stale locks
        return []
    except OSError:  # no flock on this file system (e.g. Lustre without -o flock): Snakemake's way
        return []
    try:
        stale = sorted((path.parent / "locks").glob("*.lock"))
        for lock in stale:
            lock.unlink(missing_ok=True)
    finally:
        # A live run's lock files are written after parsing, when it already holds its share.
        fcntl.flock(handle, fcntl.LOCK_SH)
    if stale:
        print(
            f"Removed the stale lock of a killed Snakemake run ({path.parent / 'locks'}): "
            "no other run of this workflow is alive in this directory.",
            file=sys.stderr,
        )
    return stale
