"""Kill a whole Snakemake run (SIGKILL to its process group: Snakemake and every job) at random
moments, then run the same plain command again: how often does it finish, without --unlock or
--rerun-incomplete, with results identical to an uninterrupted run? Target: 10 of 10.

Each trial starts in a fresh directory with the two-experiment config of tests/killing.py, kills
at a time drawn uniformly from the uninterrupted run's wall time (drawn again if the run ends
first), reruns, and compares every parquet (run metrics, tables, claims) with the uninterrupted
run's.

    python benchmarks/bench_kill_resume.py [--trials 10] [--seed 0] [--cores 2]
"""

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout: tests.killing

from tests.killing import STALE_LOCK_MESSAGE, TRAINED_RUN, Run, assert_same_results, tiny_config

TRAINED_RUN_LOG = "results/quick/logs/train/fp1d_snapshots/seeds-0.log"

REFUSALS = ["LockException", "--unlock", "IncompleteFilesException", "--rerun-incomplete"]


def stage(output: str) -> str:
    """What the killed run was doing: the last rule it started, or where Snakemake itself was."""
    started = re.findall(r"^Job \d+: (\w+)", output, re.MULTILINE)  # the rules' messages name them
    if started:
        return f"in {started[-1]} ({len(started)} jobs started)"
    return "building the DAG" if "Building DAG of jobs" in output else "starting up"


def training_in(rerun: Run, log: Path) -> str:
    """What the rerun did with the trained run: nothing, resumed (from which step), or trained anew."""
    if not log.exists() or log.stat().st_mtime < rerun.started:  # the job rewrites its log when it starts
        return "training: not rerun"
    text = log.read_text()
    if "ignoring checkpoint" in text:
        return "checkpoint of other code ignored"  # someone edited the library meanwhile
    if found := re.search(r"finished at step (\d+)", text):
        return f"training: finished checkpoint ({found[1]})"
    if found := re.search(r"resumed from checkpoint \S+ at step (\d+)", text):
        return f"training: resumed at step {found[1]}"
    return "trained from step 0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cores", default="2")
    parser.add_argument(
        "--tiny", action="store_true", help="one trial: a minute (tests/test_benchmarks.py, smoke stage)"
    )
    args = parser.parse_args()
    if args.tiny:
        args.trials = 1
    draw = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        command = ("--cores", args.cores, "--configfile", tiny_config(tmp / "config.yaml"))
        reference = Run(tmp / "reference", *command)
        assert reference.finish() == 0, reference.output[-4000:]
        uninterrupted = time.time() - reference.started
        print(f"uninterrupted run: {uninterrupted:.1f} s; killing at uniform random times in that span")
        resumed = identical = restarted = 0
        for trial in range(1, args.trials + 1):
            work = tmp / f"trial-{trial}"
            while True:  # a loaded machine runs at varying speed: a run that ends first is drawn again
                at = draw.uniform(0, uninterrupted)
                killed = Run(work, *command)
                if killed.kill_after(at):
                    break
                print(f"  trial {trial}: the run finished before {at:.1f} s; drawing again", flush=True)
                shutil.rmtree(work)
            checkpointed = (work / TRAINED_RUN / "checkpoint.pt").exists()
            rerun = Run(work, *command)
            ok = rerun.finish() == 0 and not any(word in rerun.output for word in REFUSALS)
            same = False
            if ok:
                try:
                    assert_same_results(work, tmp / "reference")
                    same = True
                except AssertionError as err:
                    print(f"  trial {trial}: results differ: {str(err)[:300]}")
            else:
                print(f"  trial {trial}: rerun failed:\n{rerun.output[-2000:]}")
            training = training_in(rerun, work / TRAINED_RUN_LOG)
            from_scratch = checkpointed and training == "trained from step 0"
            resumed, identical, restarted = resumed + ok, identical + same, restarted + from_scratch
            print(
                f"trial {trial:2d}: killed at {at:5.1f} s {stage(killed.output):30s} "
                f"stale lock removed: {'yes' if STALE_LOCK_MESSAGE in rerun.output else 'no '}  "
                f"{training:34s} rerun {'finished' if ok else 'FAILED'} in {time.time() - rerun.started:5.1f} s, "
                f"results {'identical' if same else 'DIFFERENT'}",
                flush=True,
            )
    print(
        f"plain rerun finished: {resumed}/{args.trials}; identical to the uninterrupted run: {identical}/{args.trials}; "
        f"trained from step 0 although a checkpoint existed: {restarted}/{args.trials}"
    )


if __name__ == "__main__":
    main()
