"""Wall time of the quick-scale DAG with `snakemake --cores N` in a fresh directory, and whether
every claim passed. Targets with --cores 2: the 1-D F-Principle experiments at most 3 minutes,
the Basri et al. experiments (`--only basri_`) at most 4 minutes, the real-data experiments
(`--only fp_ basri_label`) at most 6 minutes.

    python benchmarks/bench_workflow.py [--cores 2] [--config config/config.yaml] [--only fp1d_ basri_]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cores", default="2")
    parser.add_argument("--config", default=str(ROOT / "config" / "config.yaml"))
    parser.add_argument("--only", nargs="+", metavar="PREFIX", help="keep only experiments whose id starts with one of these")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        cfg = yaml.safe_load(Path(args.config).read_text())
        if args.only:
            cfg["experiments"] = {k: v for k, v in cfg["experiments"].items() if k.startswith(tuple(args.only))}
        config = Path(workdir) / "config.yaml"
        config.write_text(yaml.safe_dump(cfg))
        command = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", workdir,
                   "--cores", args.cores, "--configfile", str(config), "--quiet"]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - start
        claims = pd.read_parquet(Path(workdir) / "results" / "claims.parquet")
        jobs = sorted(Path(workdir, "results", "benchmarks", "train").rglob("*.tsv"))
        train_s = sum(pd.read_csv(j, sep="\t")["s"].iloc[0] for j in jobs)
    print(f"{', '.join(cfg['experiments'])}\nsnakemake --cores {args.cores}: {wall:.1f} s wall for {len(jobs)} training jobs "
          f"({train_s:.1f} s of job time); claims passed {int(claims['passed'].sum())}/{len(claims)}")


if __name__ == "__main__":
    main()
