"""Training progress: a tqdm bar on the terminal a job was started from, only where that terminal
is interactive, never in the job's log (its stdout and stderr go there) nor in CI's piped output.
(A Snakemake job's stderr is the terminal Snakemake runs in.)"""

import os
import pty
import subprocess
import sys
import textwrap

import pytest

from fprinciple.training import RunContext

from .conftest import ROOT

JOB = textwrap.dedent("""
    import sys
    from fprinciple.io import logging_to
    from fprinciple.training import RunContext
    with logging_to(sys.argv[1]):
        RunContext(progress=True, desc="fp1d_step/seeds-0").progress_bar(total=3, delay=0).close()
        print("the job's own output")
""")


def job(log, tty: bool) -> str:
    """What a job with a progress bar writes to its stderr, a terminal (pty) or a pipe."""
    if not tty:
        return subprocess.run(
            [sys.executable, "-c", JOB, str(log)], stderr=subprocess.PIPE, text=True, check=True, cwd=ROOT
        ).stderr
    parent, child = pty.openpty()
    subprocess.run([sys.executable, "-c", JOB, str(log)], stderr=child, check=True, cwd=ROOT)
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(parent, 4096)
        except OSError:  # the pty's other end is closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(parent)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("tty", [True, False], ids=["terminal", "pipe"])
def test_the_bar_is_on_an_interactive_terminal_only_and_never_in_the_log(tmp_path, tty):
    log = tmp_path / "job.log"
    assert ("fp1d_step/seeds-0:" in job(log, tty)) == tty
    assert log.read_text() == "the job's own output\n"


def test_no_bar_with_progress_off():
    assert RunContext(progress=False).progress_bar(total=1).disable
