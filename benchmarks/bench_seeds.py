"""One job's seeds trained one after another vs as one batched ensemble (``training.seeds``), on
this CPU with one thread: wall and CPU seconds of the same job both ways, in the same process,
and whether its claims come out the same. A config's ``ensemble: batched`` is justified by this
table (the default ``auto`` trains one at a time on a CPU, batched on a GPU).

    python benchmarks/bench_seeds.py                       # every experiment with an ensemble key
    python benchmarks/bench_seeds.py --only theory_stages --seeds 5 --repeat 2
"""

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from threadpoolctl import threadpool_limits

from fprinciple import claims, experiments
from fprinciple.config import load_and_validate
from fprinciple.runner import execute

ROOT = Path(__file__).resolve().parents[1]
# The experiments whose jobs train seeds through ``training.seeds`` (their config takes ``ensemble``).
EXPERIMENTS = (
    "fp1d_snapshots",
    "fp1d_step",
    "fp1d_equal_amp",
    "fp1d_robustness",
    "basri_superposition",
    "basri_missing_data",
    "fp_init_scale",
    "fp_parity",
    "dfp_depth",
    "dfp_layers",
    "theory_stages",
)


def timed(experiment: str, cfg: dict, mode: str) -> tuple[float, float, pd.DataFrame]:
    """Wall and CPU seconds of every job of the experiment, and its claims table."""
    cfg = cfg | {"ensemble": mode}
    wall = cpu = 0.0
    parts = []
    with tempfile.TemporaryDirectory() as scratch:
        for run in experiments.part(experiment, "run").runs(cfg):
            start, start_cpu = time.perf_counter(), time.process_time()
            parts.append(execute(experiment, run, cfg, Path(scratch) / run, device="cpu", progress=False))
            wall += time.perf_counter() - start
            cpu += time.process_time() - start_cpu
    table = claims.evaluate(
        experiments.part(experiment, "claims").claims,
        pd.concat(parts, ignore_index=True),
        cfg,
        experiment=experiment,
        scale="bench",
        dataset=experiments.get(experiment).dataset(cfg),
    )
    return wall, cpu, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(ROOT / "config" / "config.yaml"))
    parser.add_argument("--only", nargs="+", default=list(EXPERIMENTS))
    parser.add_argument("--seeds", type=int, help="train this many seeds (0, 1, ...) instead of the config's")
    parser.add_argument("--repeat", type=int, default=1, help="alternate the two modes this many times; best of each")
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="fp1d_equal_amp of config/smoke.yaml, 2 seeds: seconds (tests/test_benchmarks.py)",
    )
    args = parser.parse_args()
    if args.tiny:
        args.config, args.only, args.seeds, args.repeat = str(ROOT / "config" / "smoke.yaml"), ["fp1d_equal_amp"], 2, 1
    config = load_and_validate([args.config])
    print(f"{'experiment':22s} {'seeds':>5s} {'one at a time':>22s} {'batched':>22s} {'speed-up':>8s}  same statuses")
    with threadpool_limits(1):
        for experiment in args.only:
            cfg = copy.deepcopy(config["experiments"][experiment])
            if args.seeds:
                cfg["seeds"] = list(range(args.seeds))
            best = {}
            for _ in range(args.repeat):
                for mode in ("sequential", "batched"):
                    wall, cpu, table = timed(experiment, cfg, mode)
                    if mode not in best or wall < best[mode][0]:
                        best[mode] = (wall, cpu, table)
            (sw, sc, st), (bw, bc, bt) = best["sequential"], best["batched"]
            same = list(st["status"]) == list(bt["status"])
            print(
                f"{experiment:22s} {len(cfg['seeds']):5d} {sw:9.1f} s ({sc:6.1f} CPU) {bw:9.1f} s ({bc:6.1f} CPU) "
                f"{sw / bw:7.2f}x  {'yes' if same else 'NO: ' + str(list(zip(st['status'], bt['status'])))}",
                flush=True,
            )


if __name__ == "__main__":
    sys.exit(main())
