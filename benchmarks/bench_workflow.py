"""Wall and CPU time of the quick-scale DAG with `snakemake --cores N` in a fresh directory:
training jobs, their time and start-up (job time less the run's own wall time), and the claims
by status, with every row that is neither reproduced nor declared, and every stale declaration
(``claims.unexpected``). Target (issue 20): the whole quick DAG at most 480 s with --cores 2 on
the 2-core build machine.

`--seed-offset K` adds K to every seed list of the config (an experiment's and a method's own):
the same DAG on seeds the config was never tuned on, whose statuses should not change.

    python benchmarks/bench_workflow.py [--cores 2] [--config config/config.yaml] [--only fp1d_ basri_]
                                        [--seed-offset 1000] [--keep DIR]
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from fprinciple.claims import STATUSES, unexpected

ROOT = Path(__file__).resolve().parents[1]


def shift_seeds(node, offset: int):
    """A copy of a config node with every ``seeds`` list shifted by ``offset``."""
    if isinstance(node, dict):
        return {k: ([s + offset for s in v] if k == "seeds" else shift_seeds(v, offset)) for k, v in node.items()}
    if isinstance(node, list):
        return [shift_seeds(v, offset) for v in node]
    return node


def measure(workdir: Path, cfg: dict, cores: str) -> None:
    config = workdir / "bench_config.yaml"
    config.write_text(yaml.safe_dump(cfg))
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(workdir),
        "--cores",
        cores,
        "--configfile",
        str(config),
        "--quiet",
    ]
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    results = workdir / cfg.get("results", f"results/{cfg['scale']}")
    claims = pd.read_parquet(results / "claims.parquet")
    job_s, startup = [], []
    for tsv in sorted((results / "benchmarks" / "train").rglob("*.tsv")):
        run = tsv.relative_to(results / "benchmarks" / "train").with_suffix("")
        seconds = pd.read_csv(tsv, sep="\t")["s"].iloc[0]
        job_s.append(seconds)
        startup.append(seconds - json.loads((results / "runs" / run / "meta.json").read_text())["wall_s"])
    print(f"{len(cfg['experiments'])} experiments: {', '.join(cfg['experiments'])}")
    print(
        f"snakemake --cores {cores}: {wall:.1f} s wall, {cpu:.1f} s CPU (every process); {len(job_s)} training "
        f"jobs, {sum(job_s):.1f} s of job time, start-up median {pd.Series(startup).median():.2f} s "
        f"(max {max(startup):.2f} s)"
    )
    counts = claims["status"].value_counts()
    print("claims: " + ", ".join(f"{int(counts.get(s, 0))} {s}" for s in STATUSES) + f" of {len(claims)}")
    for row in claims.itertuples():
        print(
            f"  {row.experiment}/{row.claim}: {row.status}{' (declared)' if row.declared else ''}"
            f"{' STALE' if row.stale else ''}: {row.measured[:160]}"
        )
    problems = unexpected(claims, cfg["experiments"])
    print("unexpected (neither reproduced nor declared, or stale): " + ("none" if not problems else ""))
    for problem in problems:
        print(f"  {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cores", default="2")
    parser.add_argument("--config", default=str(ROOT / "config" / "config.yaml"))
    parser.add_argument(
        "--only", nargs="+", metavar="PREFIX", help="keep only experiments whose id starts with one of these"
    )
    parser.add_argument("--seed-offset", type=int, default=0, help="add this to every seed of the config")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="run in DIR and keep its results")
    parser.add_argument(
        "--tiny", action="store_true", help="fp1d_equal_amp of config/smoke.yaml, one core (tests/test_benchmarks.py)"
    )
    args = parser.parse_args()
    if args.tiny:
        args.config, args.only, args.cores = str(ROOT / "config" / "smoke.yaml"), ["fp1d_equal_amp"], "1"
    cfg = yaml.safe_load(Path(args.config).read_text())
    if args.only:
        cfg["experiments"] = {k: v for k, v in cfg["experiments"].items() if k.startswith(tuple(args.only))}
    cfg["experiments"] = shift_seeds(cfg["experiments"], args.seed_offset)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        measure(args.keep.resolve(), cfg, args.cores)
    else:
        with tempfile.TemporaryDirectory() as workdir:
            measure(Path(workdir), cfg, args.cores)


if __name__ == "__main__":
    main()
