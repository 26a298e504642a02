"""Wall time of the quick-scale DAG with `snakemake --cores N` in a fresh directory, and whether
every claim passed. Target for the four 1-D experiments: at most 3 minutes with --cores 2.

    python benchmarks/bench_workflow.py [--cores 2] [--config config/config.yaml]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cores", default="2")
    parser.add_argument("--config", default=str(ROOT / "config" / "config.yaml"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        command = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", workdir,
                   "--cores", args.cores, "--configfile", str(Path(args.config).resolve()), "--quiet"]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - start
        claims = pd.read_parquet(Path(workdir) / "results" / "claims.parquet")
        jobs = sorted(Path(workdir, "results", "benchmarks", "train").rglob("*.tsv"))
        train_s = sum(pd.read_csv(j, sep="\t")["s"].iloc[0] for j in jobs)
    print(f"snakemake --cores {args.cores}: {wall:.1f} s wall for {len(jobs)} training jobs "
          f"({train_s:.1f} s of job time); claims passed {int(claims['passed'].sum())}/{len(claims)}")


if __name__ == "__main__":
    main()
