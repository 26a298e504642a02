"""Wall and CPU time of the quick-scale DAG with `snakemake --cores N` in a fresh directory:
training jobs, their time and start-up (job time less the run's own wall time), and the claims
by status, with every row that is neither reproduced nor declared, and every stale declaration
(``claims.unexpected``). Target (issue 20): the whole quick DAG at most 480 s with --cores 2 on
the 2-core build machine.

`--seed-offset K` adds K to every seed list of the config (an experiment's and a method's own):
the same DAG on seeds the config was never tuned on, whose statuses should not change.

`--compare DIR` then holds this run's tables/<id>.parquet and claims/<id>.parquet (claim, status,
passed, held, judged, measured) against those of DIR, another results folder of the same scale
(e.g. a run of the previous commit: a refactoring must not change a metric), and prints
"identical" or each experiment's first difference, exiting 1 on one.

    python benchmarks/bench_workflow.py [--cores 2] [--config config/config.yaml] [--only fp1d_ basri_]
                                        [--seed-offset 1000] [--keep DIR] [--compare results/quick]
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
from fprinciple.config import load_and_validate

ROOT = Path(__file__).resolve().parents[1]


def shift_seeds(node, offset: int):
    """A copy of a config node with every ``seeds`` list shifted by ``offset``."""
    if isinstance(node, dict):
        return {k: ([s + offset for s in v] if k == "seeds" else shift_seeds(v, offset)) for k, v in node.items()}
    if isinstance(node, list):
        return [shift_seeds(v, offset) for v in node]
    return node


def measure(workdir: Path, cfg: dict, cores: str) -> Path:
    """Run the DAG of ``cfg`` in ``workdir``, print what it took and its claims; its results folder."""
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
    return results


# The claim columns that must not change when nothing but the code's layout did.
WALL_CLOCK_METRICS = ("wall_s",)
SECONDS = r"\d+(?:\.\d+)? s\b"
CLAIM_COLUMNS = ["claim", "status", "passed", "held", "judged", "measured"]


def deterministic(frame: pd.DataFrame, columns: list[str] | None) -> pd.DataFrame:
    """What a rerun must reproduce exactly: a metrics table without its wall-clock metrics, or
    claim rows' ``columns`` with the seconds a measured text quotes masked (fp_poisson times its
    solvers: run to run, those vary and nothing else may)."""
    if columns is None:
        return frame[~frame["metric"].isin(WALL_CLOCK_METRICS)].reset_index(drop=True)
    return frame[columns].assign(measured=frame["measured"].str.replace(SECONDS, "… s", regex=True))


def first_difference(results: Path, baseline: Path, experiment: str) -> str:
    """The first difference of an experiment's metrics table and claim rows between two results
    folders; "" if both are identical."""
    for kind, columns in (("tables", None), ("claims", CLAIM_COLUMNS)):
        ours, theirs = (folder / kind / f"{experiment}.parquet" for folder in (results, baseline))
        if not theirs.is_file():
            return f"{theirs} is missing"
        a, b = (deterministic(pd.read_parquet(path), columns) for path in (ours, theirs))
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=f"{kind}/{experiment}.parquet")
        except AssertionError as difference:
            return str(difference)[:800]
    return ""


def compare(results: Path, baseline: Path, experiments: list[str]) -> bool:
    """Print "identical" or each experiment's first difference from ``baseline``; True if identical."""
    differences = {e: d for e in experiments if (d := first_difference(results, baseline, e))}
    print(f"compared with {baseline}: " + ("identical" if not differences else f"{len(differences)} differ"))
    for experiment in experiments:
        print(f"  {experiment}: " + (differences.get(experiment, "").replace("\n", "\n    ") or "identical"))
    return not differences


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
        "--compare", type=Path, metavar="DIR", help="hold the tables and claims against those of results folder DIR"
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="fp1d_equal_amp of config/smoke.yaml, one core, compared with itself (tests/test_benchmarks.py)",
    )
    args = parser.parse_args()
    if args.tiny:
        args.config, args.only, args.cores = str(ROOT / "config" / "smoke.yaml"), ["fp1d_equal_amp"], "1"
    cfg = load_and_validate([args.config])  # with every experiment folder's section for the scale
    if args.only:
        cfg["experiments"] = {k: v for k, v in cfg["experiments"].items() if k.startswith(tuple(args.only))}
        cfg["only"] = list(cfg["experiments"])  # the others' sections are filled in again, but not run
    cfg["experiments"] = shift_seeds(cfg["experiments"], args.seed_offset)
    if args.compare and not (args.compare / "tables").is_dir():
        sys.exit(f"--compare {args.compare}: not a results folder (no tables/ in it), e.g. results/quick")
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.keep.resolve() if args.keep else Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        results = measure(workdir, cfg, args.cores)
        baseline = results if args.tiny and not args.compare else args.compare  # --tiny: --compare's path, on itself
        if baseline and not compare(results, baseline, cfg.get("only", list(cfg["experiments"]))):
            sys.exit(1)


if __name__ == "__main__":
    main()
