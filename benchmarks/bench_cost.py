"""The cost table of config/paper.yaml (fprinciple.cost), and a check of its model on experiments
that fit this machine at paper scale.

    python benchmarks/bench_cost.py                        print results/rehearsal/cost.md
    python benchmarks/bench_cost.py --rehearse [--data-root DIR]   run the rehearsal first (minutes)
    python benchmarks/bench_cost.py --tiny                 the above for fp1d_equal_amp alone, in a temporary folder
    python benchmarks/bench_cost.py --check fp1d_equal_amp [--cores 2]
        run that experiment of config/paper.yaml in full (a temporary folder) and compare the CPU
        seconds it took with the table's bound and expected estimates: per job, measured /
        estimated, and in total (expected: from results/quick where a quick run is there)
    python benchmarks/bench_cost.py --check basri_shallow_1d --measured DIR/results/paper
        the same against a paper-scale run already finished in DIR (hours of it: run it yourself)

The table comes from a rehearsal (`--config rehearsal=3`); `--check` needs one of the same
config. The runtime lines printed last are the `resources: {runtime_min: ...}` the table
derives for each experiment, to paste into its folder's config.yaml ``paper:`` section.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from fprinciple import cost, experiments, rehearsal
from fprinciple.config import load_and_validate

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "config" / "paper.yaml"


def snakemake(workdir: Path, cores: str, *args: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(ROOT / "Snakefile"),
            "-d",
            str(workdir),
            "--cores",
            cores,
            "--quiet",
            *args,
        ],
        check=True,
    )


def metas(results: Path, experiment: str) -> dict[str, dict]:
    return {
        path.parent.name: json.loads(path.read_text()) for path in (results / "runs" / experiment).glob("*/meta.json")
    }


def run_in_full(experiment: str, cores: str, data_root: str, workdir: Path) -> tuple[Path, float]:
    """Run ``experiment`` of paper.yaml in full in ``workdir``: its results folder and wall seconds."""
    paper = yaml.safe_load(PAPER.read_text())
    config = workdir / "paper-one.yaml"
    config.write_text(yaml.safe_dump({**paper, "only": [experiment], "data_root": data_root}))
    start = time.monotonic()
    snakemake(workdir, cores, "--configfile", str(config))
    return workdir / "results" / paper["scale"], time.monotonic() - start


def check(experiment: str, results: Path, cores: str, data_root: str, measured_in: Path | None) -> None:
    """Hold the CPU seconds of ``experiment`` of paper.yaml, run in full (or already run in
    ``measured_in``), against the estimate."""
    settings = load_and_validate([PAPER])["experiments"][experiment]
    module = experiments.part(experiment, "run")
    rehearsed = metas(results, experiment)
    full_cfg = rehearsal.substitute_datasets(settings, data_root)
    jobs = cost.plan(module, full_cfg, rehearsal.experiment_config(settings, data_root))
    shares = cost.predictions(experiment, full_cfg, jobs, rehearsed, ROOT / "results" / "quick")
    with tempfile.TemporaryDirectory() as workdir:
        full_results, wall = (
            (measured_in, float("nan")) if measured_in else run_in_full(experiment, cores, data_root, Path(workdir))
        )
        full = metas(full_results, experiment)
        claims = pd.read_parquet(full_results / "claims.parquet")
    rows, measured_total, estimated_total, expected_total = [], 0.0, 0.0, 0.0
    for (run, rehearsal_run, factor), (share, _) in zip(jobs, shares):
        estimate = cost.job_seconds(rehearsed[rehearsal_run], factor)
        expected = sum(cost.job_seconds(rehearsed[rehearsal_run], factor, share=share).values())
        meta = full[run]
        loops = sum(t["cpu_s"] for t in meta["timings"])
        logs = sum(t["log_cpu_s"] for t in meta["timings"])
        measured = {"startup": meta["process_cpu_s"] - loops, "steps": loops - logs, "logs": logs}
        rows.append(
            {
                "run": run,
                **{f"{k}_measured": v for k, v in measured.items()},
                **{f"{k}_estimated": v for k, v in estimate.items()},
                "ratio": meta["process_cpu_s"] / sum(estimate.values()),
                "ratio_expected": meta["process_cpu_s"] / expected,
            }
        )
        measured_total += meta["process_cpu_s"]
        estimated_total += sum(estimate.values())
        expected_total += expected
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.2f}".format):
        print(pd.DataFrame(rows).to_string(index=False))
    print(
        f"\n{experiment} at paper scale: {measured_total:.1f} CPU s measured (its jobs), {estimated_total:.1f} "
        f"estimated (bound), {expected_total:.1f} expected ({', '.join(sorted({rule for _, rule in shares}))}); "
        f"measured / bound = {measured_total / estimated_total:.2f}, measured / expected = "
        f"{measured_total / expected_total:.2f}" + ("" if measured_in else f"; {wall:.0f} s wall with --cores {cores}")
    )
    print(f"\npaper-scale claims ({int(claims['passed'].sum())}/{len(claims)} passed):")
    print(claims[["claim", "measured", "threshold", "passed"]].to_string(index=False))


def show(results: Path) -> None:
    """The cost table of a rehearsal's results, and the resources blocks it derives."""
    table = pd.read_parquet(results / "cost.parquet")
    print((results / "cost.md").read_text())
    print("resources blocks for the config.yaml paper sections (runtime_min derived above):")
    for row in table[table["experiment"] != cost.TOTAL].itertuples():
        print(f"  {row.experiment}: resources: {{runtime_min: {row.runtime_min}}}")


def tiny(cores: str, experiment: str = "fp1d_equal_amp") -> None:
    """The rehearsal and its cost table for one cheap experiment of paper.yaml, in a temporary folder."""
    paper = yaml.safe_load(PAPER.read_text())  # its experiments' paper sections come from their folders
    with tempfile.TemporaryDirectory() as workdir:
        config = Path(workdir) / "paper-one.yaml"
        config.write_text(yaml.safe_dump({**paper, "only": [experiment]}))
        snakemake(Path(workdir), cores, "--configfile", str(config), "--config", f"rehearsal={rehearsal.DEFAULT_STEPS}")
        show(Path(workdir) / "results" / "rehearsal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=ROOT / "results" / "rehearsal")
    parser.add_argument("--rehearse", action="store_true", help="run the rehearsal of config/paper.yaml first")
    parser.add_argument("--check", metavar="EXPERIMENT", help="run it in full and compare with the estimate")
    parser.add_argument(
        "--measured", type=Path, help="with --check: a finished paper-scale results folder, instead of running it"
    )
    parser.add_argument("--cores", default="2")
    parser.add_argument("--data-root", default="data", help="the rehearsal's data_root (real MNIST, CIFAR-10)")
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="rehearse fp1d_equal_amp alone, in a temporary folder (tests/test_benchmarks.py)",
    )
    args = parser.parse_args()
    if args.tiny:
        tiny(args.cores)
        return
    if args.rehearse:
        snakemake(
            args.results.parents[1],
            args.cores,
            "--configfile",
            str(PAPER),
            "--config",
            f"rehearsal={rehearsal.DEFAULT_STEPS}",
            f"data_root={args.data_root}",
        )
    show(args.results)
    if args.check:
        check(args.check, args.results, args.cores, args.data_root, args.measured)


if __name__ == "__main__":
    main()
