"""Wall time of the quick-scale DAG with `snakemake --cores N` in a fresh directory: training
jobs, their time and start-up (job time less the run's own wall time), and whether every claim
passed or was declared not reproduced. Target (issue 10): the whole quick DAG at most 480 s with
--cores 2 on the 2-core build machine, per-job start-up under 2.5 s.

    python benchmarks/bench_workflow.py [--cores 2] [--config config/config.yaml] [--only fp1d_ basri_]
                                        [--keep DIR]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from fprinciple.claims import not_reproduced

ROOT = Path(__file__).resolve().parents[1]


def measure(workdir: Path, cfg: dict, cores: str) -> None:
    config = workdir / "bench_config.yaml"
    config.write_text(yaml.safe_dump(cfg))
    command = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(workdir),
               "--cores", cores, "--configfile", str(config), "--quiet"]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    results = workdir / cfg.get("results", f"results/{cfg['scale']}")
    claims = pd.read_parquet(results / "claims.parquet")
    declared = {(e, c) for e, block in cfg["experiments"].items() for c in not_reproduced(block)}
    undeclared = [(e, c) for e, c, ok in claims[["experiment", "claim", "passed"]].values if not ok and (e, c) not in declared]
    job_s, startup = [], []
    for tsv in sorted((results / "benchmarks" / "train").rglob("*.tsv")):
        run = tsv.relative_to(results / "benchmarks" / "train").with_suffix("")
        seconds = pd.read_csv(tsv, sep="\t")["s"].iloc[0]
        job_s.append(seconds)
        startup.append(seconds - json.loads((results / "runs" / run / "meta.json").read_text())["wall_s"])
    print(f"{len(cfg['experiments'])} experiments: {', '.join(cfg['experiments'])}")
    print(f"snakemake --cores {cores}: {wall:.1f} s wall; {len(job_s)} training jobs, {sum(job_s):.1f} s of job time, "
          f"start-up median {pd.Series(startup).median():.2f} s (max {max(startup):.2f} s)")
    print(f"claims: {int(claims['passed'].sum())}/{len(claims)} pass, {len(declared)} declared not reproduced, "
          f"undeclared failures: {undeclared or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cores", default="2")
    parser.add_argument("--config", default=str(ROOT / "config" / "config.yaml"))
    parser.add_argument("--only", nargs="+", metavar="PREFIX", help="keep only experiments whose id starts with one of these")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="run in DIR and keep its results")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    if args.only:
        cfg["experiments"] = {k: v for k, v in cfg["experiments"].items() if k.startswith(tuple(args.only))}
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        measure(args.keep.resolve(), cfg, args.cores)
    else:
        with tempfile.TemporaryDirectory() as workdir:
            measure(Path(workdir), cfg, args.cores)


if __name__ == "__main__":
    main()
