"""The cost model (fprinciple.cost) and what it is fed: the loops' timings (training.timing) and a
rehearsal's evaluation subsets (training.evaluation). Analytic cases first: counts of logging
points against a real loop's, the model's arithmetic on hand-made timings, and the identity that
a run's own timings, planned = done, reproduce its CPU seconds."""

import json
import time

import numpy as np
import pytest
import torch

from fprinciple import cost
from fprinciple.runner import execute
from fprinciple.training import RunContext, TrainSpec, evaluation, train
from fprinciple.training.timing import Stopwatch, logging_points


def burn(seconds: float) -> None:
    """Spend about ``seconds`` of CPU time."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


@pytest.mark.parametrize(
    "steps, every, extra, expected",
    [
        (10, 3, (), 5),  # 0 3 6 9 10
        (9, 3, (), 4),  # 0 3 6 9
        (10, 3, (4, 9, 11), 6),  # + 4 (9 is regular, 11 beyond the run)
        (5, 100, (), 2),  # 0 and the last
        (0, 10, (), 1),
    ],
)
def test_logging_points_counts_each_logged_step_once(steps, every, extra, expected):
    assert logging_points(steps, every, extra) == expected


def tiny_fit(steps: int, log_every: int, log_steps=(), max_steps=None):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    x = torch.linspace(-1, 1, 20)[:, None]
    seen = []
    spec = TrainSpec(steps=steps, lr=1e-2, log_every=log_every, log_steps=log_steps)
    result = train(
        model,
        x,
        torch.sin(3 * x),
        spec,
        RunContext(max_steps=max_steps),
        hooks=[lambda step, net, last: seen.append(step) or []],
    )
    return result, sorted(set(seen))


def test_trainer_plans_the_logs_it_takes_and_times_them_apart():
    result, logged = tiny_fit(steps=10, log_every=3, log_steps=(4,))
    (timing,) = result.timings
    assert logged == [0, 3, 4, 6, 9, 10]
    assert timing.logs == timing.planned_logs == len(logged) == logging_points(10, 3, (4,))
    assert timing.steps == timing.planned_steps == 10
    assert 0 < timing.first_log_cpu_s <= timing.log_cpu_s <= timing.cpu_s


def test_a_truncated_loop_reports_the_untruncated_plan():
    result, logged = tiny_fit(steps=1000, log_every=100, max_steps=3)
    (timing,) = result.timings
    assert logged == [0, 3] and (timing.steps, timing.logs) == (3, 2)
    assert (timing.planned_steps, timing.planned_logs) == (1000, 11)


def test_stopwatch_separates_logging_and_the_first_log():
    watch = Stopwatch()
    for seconds in (0.06, 0.02):
        with watch.logging():
            burn(seconds)
    burn(0.03)
    timing = watch.timing(steps=3, planned_steps=30, planned_logs=4)
    assert timing.logs == 2 and timing.first_log_cpu_s == pytest.approx(0.06, abs=0.02)
    assert timing.log_cpu_s == pytest.approx(0.08, abs=0.03) and timing.cpu_s >= timing.log_cpu_s + 0.02


def test_capped_forward_runs_the_subset_and_counts_what_it_skipped():
    x = torch.arange(10.0)[:, None]
    calls = []

    def fn(rows):
        calls.append(len(rows))
        burn(0.02)
        return {"out": rows * 2}

    assert torch.equal(evaluation.forward(fn, x)["out"], x * 2)  # no cap: everything
    watch = Stopwatch()
    with evaluation.capped(4), watch.logging():
        out = evaluation.forward(fn, x)["out"]
    assert calls == [10, 4]
    np.testing.assert_array_equal(out[:, 0].numpy(), [0, 2, 4, 6, 0, 2, 4, 6, 0, 2])  # repeated to 10 rows
    timing = watch.timing(1, 1, 1)
    # 6 of 10 rows skipped: 1.5 × what the 4 rows took
    assert timing.skipped_log_cpu_s == pytest.approx(1.5 * 0.02, rel=0.6)
    assert timing.skipped_first_log_cpu_s == timing.skipped_log_cpu_s
    with evaluation.capped(4):
        assert len(evaluation.forward(fn, x[:3])["out"]) == 3 and calls[-1] == 3  # within the cap


def timing_dict(**overrides) -> dict:
    base = dict(
        steps=3,
        planned_steps=300,
        logs=2,
        planned_logs=31,
        cpu_s=10.0,
        log_cpu_s=4.0,
        first_log_cpu_s=3.0,
        wall_s=20.0,
        log_wall_s=8.0,
        first_log_wall_s=6.0,
        skipped_log_cpu_s=0.0,
        skipped_first_log_cpu_s=0.0,
        skipped_log_wall_s=0.0,
        skipped_first_log_wall_s=0.0,
        may_stop_early=False,
    )
    return base | overrides


def test_loop_seconds_by_hand():
    # steps: (10 − 4) / 3 = 2 s a step × 300; logs: the first 3 s + 30 later ones of 1 s
    assert cost.loop_seconds(timing_dict()) == {"steps": 600.0, "logs": 33.0}
    # the subset skipped 2 s of the logs, 1 s of them in the first: logs of 4 s, then (6 − 4) s
    skipped = timing_dict(skipped_log_cpu_s=2.0, skipped_first_log_cpu_s=1.0)
    assert cost.loop_seconds(skipped) == {"steps": 600.0, "logs": 4.0 + 2.0 * 30}
    assert cost.loop_seconds(timing_dict(), "wall") == {"steps": 4.0 * 300, "logs": 6.0 + 2.0 * 30}
    assert cost.loop_seconds(timing_dict(logs=1, planned_logs=5, log_cpu_s=3.0)) == {"steps": 700.0, "logs": 15.0}


def test_job_seconds_scale_the_loops_not_the_start_up():
    meta = {"process_cpu_s": 25.0, "wall_s": 30.0, "timings": [timing_dict(), timing_dict()]}
    assert cost.job_seconds(meta, factor=5) == {"startup": 5.0, "steps": 5 * 1200.0, "logs": 5 * 66.0}
    assert cost.job_seconds({"process_cpu_s": 12.0, "wall_s": 13.0}, factor=1) == {
        "startup": 12.0,
        "steps": 0,
        "logs": 0,
    }


class Grid:
    """An experiment with one job per (net, seed) and one that trains every seed at once."""

    __name__ = "toy"

    @staticmethod
    def runs(cfg):
        out = {f"net-{n}_seed-{s}": {"net": n, "seed": s} for n in cfg["nets"] for s in cfg["seeds"]}
        return out | {"all-" + "-".join(map(str, cfg["seeds"])): {"net": "all", "seeds": cfg["seeds"]}}


def test_plan_maps_every_full_run_to_its_rehearsal_and_seed_factor():
    full, rehearsed = {"nets": ["a", "b"], "seeds": [0, 1, 2]}, {"nets": ["a", "b"], "seeds": [0]}
    jobs = cost.plan(Grid, full, rehearsed)
    assert len(jobs) == 7
    assert ("net-b_seed-2", "net-b_seed-0", 1.0) in jobs and ("all-0-1-2", "all-0", 3.0) in jobs
    with pytest.raises(ValueError, match="no rehearsal run"):
        cost.plan(Grid, {"nets": ["a", "c"], "seeds": [0]}, rehearsed)


def test_experiment_row_and_total():
    meta = {"process_cpu_s": 25.0, "wall_s": 30.0, "device": "cpu", "timings": [timing_dict(may_stop_early=True)]}
    jobs = [("net-a_seed-0", "r", 1.0), ("net-a_seed-1", "r", 1.0)]
    resources = {"threads": 2, "runtime_min": 60}
    row = cost.experiment_row("toy", jobs, {"r": meta}, resources, seeds=2, data="d")
    job = 15.0 + 600.0 + 33.0  # start-up (25 − 10) + steps + logs
    assert row["cpu_core_hours"] == pytest.approx(2 * job / 3600) and row["longest_job_cpu_h"] == pytest.approx(
        job / 3600
    )
    assert row["bound"] == "upper bound" and np.isnan(row["gpu_hours"]) and row["planned_steps"] == 600
    # 3 × 648 s / 2 threads = 16.2 min, rounded up to 5 minutes
    assert row["runtime_min"] == 20 and cost.runtime_min(10.0, 1) == cost.RUNTIME_FLOOR_MIN
    frame = cost.table([row, row | {"experiment": "other", "cpu_core_hours": 1.0}])
    assert list(frame["experiment"]) == ["other", "toy", cost.TOTAL]
    assert frame.iloc[-1]["cpu_core_hours"] == pytest.approx(1.0 + row["cpu_core_hours"])
    text = cost.markdown(frame, "test machine")
    assert "start-up + f ×" in text and "| toy |" in text and "| total |" in text
    short = cost.table([row | {"config_runtime_min": 5}])
    assert "runtime_min below the derived value** in the config: toy (5 < 20)" in cost.markdown(short, "m")


def test_a_full_runs_own_timings_reproduce_its_cpu_seconds(tmp_path, tiny_fit1d):
    """Planned = done (no truncation): the model's loop seconds are exactly the measured ones."""
    execute("fp1d_equal_amp", "seeds-0", tiny_fit1d, tmp_path, progress=False)
    meta = json.loads((tmp_path / "meta.json").read_text())
    (timing,) = meta["timings"]
    assert timing["steps"] == timing["planned_steps"] == tiny_fit1d["steps"]
    assert timing["logs"] == timing["planned_logs"] == tiny_fit1d["steps"] // tiny_fit1d["log_every"] + 1
    parts = cost.job_seconds(meta, factor=1)
    assert parts["steps"] + parts["logs"] == pytest.approx(timing["cpu_s"], rel=1e-9)
    assert parts["startup"] + parts["steps"] + parts["logs"] == pytest.approx(meta["process_cpu_s"], rel=1e-9)
