"""The paper-scale rehearsal (fprinciple.rehearsal): what it changes in each experiment's config
(first seed; absent real data replaced by same-shape stand-ins), the MNIST-shaped stand-in,
run.py's command, and, marked ``rehearsal`` (opt-in, minutes: `pytest -m rehearsal`, as
`.ci/run` does), config/paper.yaml itself through train → aggregate → figure → claims → cost."""

import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fprinciple import cost, datasets, rehearsal
from fprinciple.io import METRIC_COLUMNS

from .conftest import MNIST_RAW, MNIST_ROOT, ROOT, load_config

SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]


def nested_config() -> dict:
    """Data blocks where the experiments keep them: top level, per family, in a list."""
    return {
        "seeds": [3, 4, 5],
        "data": {"dataset": "mnist", "n_train": None, "n_test": 1000, "subset_seed": 0},
        "families": {"cifar10": {"data": {"dataset": "cifar10", "n_train": 5000, "n_test": None}}},
        "datasets": [{"data": {"dataset": "digits", "n_train": 100}, "deltas": [1.0]}],
    }


def test_absent_real_data_become_same_shape_standins_at_the_configured_sizes(tmp_path):
    cfg = nested_config()
    resolved = rehearsal.experiment_config(cfg, tmp_path)  # an empty data root
    assert resolved["seeds"] == [3]
    assert resolved["data"] == {"dataset": "mnist_standin", "n_train": 60000, "n_test": 1000, "subset_seed": 0}
    assert resolved["families"]["cifar10"]["data"] == {"dataset": "cifar_standin", "n_train": 5000, "n_test": 10000}
    assert resolved["datasets"][0]["data"] == {"dataset": "digits", "n_train": 100}  # a stand-in already
    assert cfg == nested_config()  # the config itself is not changed


def test_present_real_data_are_kept(tmp_path):
    for path in datasets.mnist_files(tmp_path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")  # existence is what counts here; prepare_data checks the content
    resolved = rehearsal.substitute_datasets(nested_config(), tmp_path)
    assert (
        resolved["data"]["dataset"] == "mnist" and resolved["families"]["cifar10"]["data"]["dataset"] == "cifar_standin"
    )
    assert datasets.present("mnist", tmp_path) and not datasets.present("cifar10", tmp_path)
    assert not datasets.present("mnist", None)


def test_mnist_standin_has_mnists_shape_at_any_size():
    train = datasets.load("mnist_standin", n=2000, seed=1)
    test = datasets.load("mnist_standin", train=False, n=300, seed=1)
    assert train.x.shape == (2000, 784) and train.x.dtype == np.float32 and train.image_shape == (1, 28, 28)
    assert 0 <= train.x.min() and train.x.max() <= 1 and set(np.unique(train.y)) == set(range(10))
    assert "not MNIST" in train.name
    images = train.x.reshape(-1, 28, 28)
    assert (images[:, :2].max() == 0) and (images[:, :, -2:].max() == 0)  # a margin, as MNIST's
    again = datasets.load("mnist_standin", n=2000, seed=1)
    np.testing.assert_array_equal(again.x, train.x)
    assert not np.array_equal(datasets.load("mnist_standin", n=2000, seed=2).x, train.x)
    with pytest.raises(ValueError, match="give n"):
        datasets.load("mnist_standin")
    assert len(test.y) == 300


def run_py():
    spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_py_rehearsal_is_the_documented_snakemake_command(monkeypatch):
    module = run_py()
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    snakemake = str(module.BIN / "snakemake")
    assert module.command("rehearsal", []) == [
        snakemake,
        "--cores",
        "2",
        "--configfile",
        "config/paper.yaml",
        "--config",
        "rehearsal=3",
    ]
    assert module.REHEARSAL_STEPS == rehearsal.DEFAULT_STEPS
    # the user's --config values keep rehearsal=3 (a second --config would replace the first)
    assert module.command("rehearsal", ["--config", "data_root=d"])[-3:] == ["--config", "rehearsal=3", "data_root=d"]
    assert module.command("rehearsal", ["--configfile", "c.yaml", "--config", "rehearsal=1", "-c1"]) == [
        snakemake,
        "--configfile",
        "c.yaml",
        "--config",
        "rehearsal=1",
        "-c1",
    ]


@pytest.mark.rehearsal
def test_paper_config_rehearses_end_to_end(tmp_path):
    """Every experiment of config/paper.yaml trains, aggregates, draws and is judged, labelled
    rehearsal, on real MNIST where it is present and on same-shape stand-ins elsewhere; the cost
    table covers every experiment and the report shows it."""
    paper = load_config("paper.yaml")
    experiments = set(paper["experiments"])
    data_root = MNIST_ROOT if MNIST_RAW.is_dir() else tmp_path / "no-data"
    args = [
        "--cores",
        "2",
        "--configfile",
        str(ROOT / "config" / "paper.yaml"),
        "--config",
        f"rehearsal={rehearsal.DEFAULT_STEPS}",
        f"data_root={data_root}",
    ]
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    done = subprocess.run([*SNAKEMAKE, "-d", str(tmp_path), *args], capture_output=True, text=True)
    after, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic() - start
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"\nrehearsal of {len(experiments)} experiments: {wall:.0f} s wall, {cpu:.0f} CPU s (data_root {data_root})")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-6000:]
    results = tmp_path / "results" / "rehearsal"

    claims = pd.read_parquet(results / "claims.parquet")
    assert set(claims["experiment"]) == experiments
    assert (claims["scale"] == "rehearsal").all() and claims["note"].str.contains("rehearsal").all()
    assert claims["note"].str.contains("not evidence").all()
    for experiment in experiments:
        for ext in ("png", "pdf"):
            assert (results / "figures" / f"{experiment}.{ext}").stat().st_size > 5_000, experiment
        table = pd.read_parquet(results / "tables" / f"{experiment}.parquet")
        assert list(table.columns[: len(METRIC_COLUMNS)]) == METRIC_COLUMNS

    # Every run: the paper's settings (one seed, the resolved data), truncated, with its timings.
    for path in results.glob("runs/*/*/meta.json"):
        meta = json.loads(path.read_text())
        expected = rehearsal.experiment_config(paper["experiments"][meta["experiment"]], data_root)
        expected.pop("claims", None)  # a training job gets no claim settings (rule train's run_config)
        assert meta["config"] == json.loads(json.dumps(expected)), path
        assert meta["max_steps"] == rehearsal.DEFAULT_STEPS and meta["eval_samples"] == rehearsal.EVAL_SAMPLES
        assert all(t["steps"] <= t["planned_steps"] for t in meta["timings"]), path

    # The claim rows and captions name the data the rehearsal used.
    for experiment, cfg in paper["experiments"].items():
        used = {b["dataset"] for b in rehearsal.data_blocks(rehearsal.experiment_config(cfg, data_root))}
        rows = claims[claims["experiment"] == experiment]
        for name in used:
            assert rows["dataset"].str.contains(datasets.caption(name), regex=False).all(), (experiment, name)
    if MNIST_RAW.is_dir():
        assert json.loads((results / "data" / "mnist.json").read_text())["caption"] == "MNIST (real)"

    table = pd.read_parquet(results / "cost.parquet")
    rows = table[table["experiment"] != cost.TOTAL]
    assert set(rows["experiment"]) == experiments and (rows["cpu_core_hours_bound"] > 0).all()
    assert table.iloc[-1]["cpu_core_hours_bound"] == pytest.approx(rows["cpu_core_hours_bound"].sum())
    assert (rows["runtime_min"] >= cost.RUNTIME_FLOOR_MIN).all()
    print((results / "cost.md").read_text())

    report = tmp_path / "report.html"
    made = subprocess.run(
        [*SNAKEMAKE, "-d", str(tmp_path), *args, "--report", str(report)], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr[-4000:]
    assert "Cost" in report.read_text()
    assert Path(results / "cost.md").read_text().count("\n| ") == len(experiments) + 2  # header, rows, total
