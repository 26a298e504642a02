"""A throwaway single-node SLURM on localhost for tests/test_slurm.py.

Debian's ``slurm-wlm`` and ``munge`` (installed with apt-get when missing), one node
``localhost`` with two CPUs and a fake GPU (gres ``gpu`` on /dev/null, so a ``--gpus=1``
request is granted on a machine without one), and no accounting database: the case in which
``sacct`` fails and only ``squeue`` reports job states. munged, slurmctld and slurmd run in the
foreground as children of the test; they are stopped by their PIDs and every state, spool and
log directory lives in one temporary folder that is removed afterwards.

The config goes to /etc/slurm (removed afterwards too) rather than to a private path named by
SLURM_CONF: the executor plugin's job step strips every SLURM_* variable from the srun it runs
inside each job, so that srun only finds a config at the compiled-in default path.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGES = ["slurm-wlm", "munge"]
COMMANDS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "scancel", "sacct"]
CONF_DIR = Path("/etc/slurm")
MARKER = "# written by fprinciple tests/slurm_cluster.py; removed when its test ends"
# One test cluster per machine at a time: it owns /etc/slurm while it runs.
LOCK = Path(tempfile.gettempdir()) / "fprinciple-slurm.lock"
CPUS = 2
MEMORY_MARGIN_MB = 1024  # left to the OS and to the Snakemake process that submits the jobs


def unavailable(reason: str):
    """Skip where this machine cannot host the cluster; FPRINCIPLE_REQUIRE_SLURM=1 (CI) fails
    instead, so a CI run never passes without having run the cluster test."""
    if os.environ.get("FPRINCIPLE_REQUIRE_SLURM") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def ensure_installed() -> float:
    """Install the packages when a command is missing; returns the seconds apt-get took (0 if
    nothing was missing)."""
    if not all(shutil.which(c) for c in COMMANDS):
        if shutil.which("apt-get") is None:
            unavailable(f"SLURM is not installed and there is no apt-get to install {' '.join(PACKAGES)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        start = time.monotonic()
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
        ):
            try:
                done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
            except subprocess.TimeoutExpired:
                unavailable(f"`{' '.join(command)}` did not finish within 900 s")
            if done.returncode != 0:
                unavailable(
                    f"cannot install {' '.join(PACKAGES)}: `{' '.join(command)}` failed: "
                    f"{(done.stderr or done.stdout).strip()[-500:]}"
                )
        missing = [c for c in COMMANDS if not shutil.which(c)]
        if missing:
            unavailable(f"installed {' '.join(PACKAGES)} but still missing: {', '.join(missing)}")
        return time.monotonic() - start
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mb() -> int:
    total_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    return total_kb // 1024 - MEMORY_MARGIN_MB


def slurm_conf(root: Path, munge_socket: Path) -> str:
    return f"""{MARKER}
ClusterName=fprinciple-test
SlurmctldHost=localhost
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/run/slurmctld.pid
SlurmdPidFile={root}/run/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
# No cgroups (a container has none to give) and no accounting database.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
# Finished jobs stay visible to squeue (and scontrol) this long: the plugin's status checks
# and the test's own read them.
MinJobAge=300
ReturnToService=2
# The node is what this file says, whatever the hardware (CPUs may exceed the real cores).
SlurmdParameters=config_overrides
GresTypes=gpu
NodeName=localhost NodeAddr=127.0.0.1 CPUs={CPUS} RealMemory={memory_mb()} Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


GRES_CONF = f"""{MARKER}
NodeName=localhost Name=gpu File=/dev/null
"""


@dataclass
class Cluster:
    root: Path
    install_s: float
    start_s: float

    def command(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(args, capture_output=True, text=True, timeout=30, check=check)

    def job(self, job_id: str) -> dict[str, str]:
        """`scontrol show job` as a dict (JobState, CPUs/Task, MinMemoryNode, TimeLimit, ...)."""
        line = self.command("scontrol", "show", "job", "-o", job_id).stdout
        return dict(item.split("=", 1) for item in line.split() if "=" in item)

    def logs(self) -> str:
        """The daemons' log tails, for a failure message."""
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}"
            for p in sorted((self.root / "log").glob("*"))
            if p.is_file()
        )


def _start(name: str, args: list[str], log_dir: Path, daemons: list) -> subprocess.Popen:
    out = (log_dir / f"{name}.out").open("w")
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    out.close()
    daemons.append(process)
    return process


def _wait(condition, timeout: float, what: str, cluster: Cluster) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} within {timeout:.0f} s\n{cluster.logs()}")
        time.sleep(0.2)


def _node_state() -> str:
    done = subprocess.run(["sinfo", "-h", "-N", "-o", "%T"], capture_output=True, text=True, timeout=30)
    return done.stdout.strip()


def _stop(daemons: list[subprocess.Popen]) -> None:
    for process in reversed(daemons):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@contextlib.contextmanager
def single_node_cluster() -> Iterator[Cluster]:
    if os.geteuid() != 0:
        unavailable("the SLURM test installs packages and runs slurmd: it needs root")
    install_s = ensure_installed()
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for name in ("slurm.conf", "gres.conf"):
            path = CONF_DIR / name
            if path.exists() and MARKER not in path.read_text():
                unavailable(
                    f"{path} exists and is not this test's: a SLURM is configured on this "
                    "machine, and the test will not overwrite its config"
                )
        start = time.monotonic()
        root = Path(tempfile.mkdtemp(prefix="fprinciple-slurm-"))
        root.chmod(0o755)  # munged wants its socket's directories searchable by everyone
        daemons: list[subprocess.Popen] = []
        cluster = Cluster(root, install_s, 0.0)
        try:
            for sub, mode in (("munge", 0o700), ("run", 0o755), ("state", 0o755), ("spool", 0o755), ("log", 0o755)):
                (root / sub).mkdir(mode=mode)
            key = root / "munge" / "munge.key"
            key.write_bytes(os.urandom(1024))
            key.chmod(0o400)
            munge_socket = root / "run" / "munge.socket"
            CONF_DIR.mkdir(parents=True, exist_ok=True)
            (CONF_DIR / "slurm.conf").write_text(slurm_conf(root, munge_socket))
            (CONF_DIR / "gres.conf").write_text(GRES_CONF)

            _start(
                "munged",
                [
                    "munged",
                    "--foreground",
                    f"--key-file={key}",
                    f"--socket={munge_socket}",
                    f"--pid-file={root}/run/munged.pid",
                    f"--log-file={root}/munge/munged.log",
                    f"--seed-file={root}/munge/munged.seed",
                ],
                root / "log",
                daemons,
            )
            _wait(munge_socket.exists, 30, "munged did not create its socket", cluster)
            _start("slurmctld", ["slurmctld", "-D"], root / "log", daemons)
            _start("slurmd", ["slurmd", "-D", "-N", "localhost"], root / "log", daemons)
            _wait(lambda: _node_state() == "idle", 60, "the node did not become idle", cluster)
            cluster.start_s = time.monotonic() - start
            yield cluster
        finally:
            if len(daemons) == 3 and all(p.poll() is None for p in daemons):
                # No job outlives the cluster: cancel what is left, wait for it to end.
                subprocess.run(["scancel", "--user", "root"], capture_output=True, timeout=30)
                with contextlib.suppress(RuntimeError):
                    _wait(
                        lambda: (
                            not subprocess.run(
                                ["squeue", "-h"], capture_output=True, text=True, timeout=30
                            ).stdout.strip()
                        ),
                        30,
                        "jobs still running",
                        cluster,
                    )
            _stop(daemons)
            for name in ("slurm.conf", "gres.conf"):
                path = CONF_DIR / name
                if path.exists() and MARKER in path.read_text():
                    path.unlink()
            shutil.rmtree(root, ignore_errors=True)
