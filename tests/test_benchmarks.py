"""Every benchmark runs in its tiny mode (`--tiny`: the smallest sizes, one repeat, seconds) and
prints its result, so none rots while the code it measures changes. The scripts are found by glob:
a new benchmark is tested the day it is added, and fails here until EXPECTED says what its result
looks like."""

import importlib.util
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from .conftest import ROOT

BENCHMARKS = sorted(path.name for path in (ROOT / "benchmarks").glob("bench_*.py"))

# Lines of each benchmark's result (their structure; never the timings' values).
EXPECTED = {
    "bench_basri_sweep.py": [
        r"^\| S1 d=2 m=\d+ +\| yes +\| 1 +\| \S+ \(\S+\) +\| \S+ \(\S+\) +\| \S+x +\| \S+ / \S+ +\| \S+x / \S+x +\|$",
        r"^\| plain 2x8 n=\d+ mse +\| \S+ \(\S+\) +\| \S+ \(\S+\) +\| \S+x +\|$",
        r"^\| S1 bias +\| [\d.]+ +\| [\d.]+ +\|$",
    ],
    "bench_compile.py": [r"^   eager: first step \S+ s, then \d+ steps/s", r"^compiled: first step \S+ s"],
    "bench_cost.py": [r"^\| fp1d_equal_amp \| 1 \|", r"^  fp1d_equal_amp: resources: \{runtime_min: \d+\}$"],
    "bench_dfp_epoch.py": [r"^dfp_resnet −4 .* s/step", r"^dfp_layers .* s/step", r"^total training"],
    "bench_epoch.py": [
        r" config=paper\.yaml images=",
        r"^fp_filter/vgg16 .* ms/step",
        r"^basri_label_noise .* s/epoch",
    ],
    "bench_filter.py": [r"^n=100 \((MNIST|random)\) strategy=\w+ .* peak \+\d+ MiB$", r"^    delta=3: e_low="],
    "bench_kill_resume.py": [
        r"^trial  1: killed at",
        r"^plain rerun finished: 1/1; identical to the uninterrupted run: 1/1",
    ],
    "bench_nongd_poisson.py": [
        r"^bfgs .* \| end: \d+ ev",
        r"^Jacobi ω=0\.667 N=127 .* sweeps to",
        r"^fp_poisson seed 0",
    ],
    "bench_nongd_seeds.py": [r"^bfgs: 1-4-1 tanh .* order holds in \d/2 seeds"],
    "bench_rdf.py": [r"^n=100: .* LFR \S+ -> \S+$"],
    "bench_seeds.py": [r"^fp1d_equal_amp +2 .*x  (yes|NO)"],
    "bench_trainer.py": [r"^bare torch loop : +\S+ steps/s", r"^overhead +: +\S+ %$"],
    "bench_workflow.py": [
        r"^1 experiments: fp1d_equal_amp$",
        r"^claims: \d+ reproduced, .* of 1$",
        r"^compared with .*/results/smoke: identical$",
    ],
}

# Those that run Snakemake belong to the smoke stage (why, per script).
SMOKE = {
    "bench_kill_resume.py": "three Snakemake runs of two experiments (reference, killed, rerun): a minute",
    "bench_workflow.py": "a Snakemake run of one smoke experiment: ~14 CPU s",
    "bench_cost.py": "a Snakemake rehearsal of one paper experiment: ~12 CPU s",
}


@pytest.mark.parametrize(
    "script", [pytest.param(name, marks=pytest.mark.smoke) if name in SMOKE else name for name in BENCHMARKS]
)
def test_benchmark_runs_in_tiny_mode_and_prints_its_result(script):
    assert script in EXPECTED, f"benchmarks/{script} is new: add the lines of its --tiny result to EXPECTED"
    env = os.environ | {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, f"benchmarks/{script}", "--tiny"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for line in EXPECTED[script]:
        assert re.search(line, result.stdout, re.MULTILINE), f"no line matching {line!r} in:\n{result.stdout[-3000:]}"


def test_every_expected_output_names_an_existing_benchmark():
    assert set(EXPECTED) <= set(BENCHMARKS) and set(SMOKE) <= set(BENCHMARKS)


def test_workflow_compare_names_the_first_difference(tmp_path, capsys):
    """bench_workflow.py --compare: two results folders' tables and claim rows, identical or not."""
    spec = importlib.util.spec_from_file_location("bench_workflow", ROOT / "benchmarks" / "bench_workflow.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    table = pd.DataFrame({"metric": ["loss", "loss"], "value": [1.0, 0.5]})
    claims = pd.DataFrame({c: ["x"] for c in bench.CLAIM_COLUMNS} | {"note": ["may differ"]})
    for name in ("ours", "theirs"):
        (tmp_path / name / "tables").mkdir(parents=True)
        (tmp_path / name / "claims").mkdir()
        table.to_parquet(tmp_path / name / "tables" / "e.parquet")
        claims.to_parquet(tmp_path / name / "claims" / "e.parquet")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    claims.assign(note="other").to_parquet(theirs / "claims" / "e.parquet")  # a column not compared
    assert bench.compare(ours, theirs, ["e"]) and capsys.readouterr().out.splitlines()[-1] == "  e: identical"
    table.assign(value=[1.0, 0.5 + 1e-12]).to_parquet(theirs / "tables" / "e.parquet")
    assert not bench.compare(ours, theirs, ["e"])
    assert "1 differ" in capsys.readouterr().out and "tables/e.parquet" in bench.first_difference(ours, theirs, "e")
    claims.assign(status="y").to_parquet(ours / "claims" / "e.parquet")
    table.to_parquet(theirs / "tables" / "e.parquet")
    assert "claims/e.parquet" in bench.first_difference(ours, theirs, "e")
    assert bench.first_difference(ours, theirs, "f") == f"{theirs / 'tables' / 'f.parquet'} is missing"
