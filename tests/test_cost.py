"""The cost model (fprinciple.cost) and what it is fed: the loops' timings (training.timing) and a
rehearsal's evaluation subsets (training.evaluation). Analytic cases first: counts of logging
points against a real loop's, the model's arithmetic on hand-made timings, and the identity that
a run's own timings, planned = done, reproduce its CPU seconds."""

import copy
import json
import math
import time

import numpy as np
import pytest
import torch

from fprinciple import cost
from fprinciple.models import basri_shallow
from fprinciple.runner import execute
from fprinciple.training import RunContext, TrainSpec, evaluation, train
from fprinciple.training.ensemble import LearningTimeSpec, learning_times
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


@pytest.mark.parametrize("update", ["autograd", "fused"])
def test_a_sweep_counts_member_updates_and_times_each_batch_set_up_as_a_log(update):
    """A learning-time ensemble's steps are the member-updates it computed (the unit of its planned
    cap × members; a member's last update, which finds it finished, is work too) and each batch's
    set-up, compilation included, is one log: a truncated rehearsal's few updates per member must
    not carry it."""
    gens = [torch.Generator().manual_seed(i) for i in range(3)]
    model = basri_shallow(gens, 2, 16, 1.0, bias=True)
    x = torch.nn.functional.normalize(torch.randn(3, 12, 2), dim=2)
    spec = LearningTimeSpec(lr=0.05, cap=7, threshold=0.0, log_every=100, update=update)  # never learned
    for batch, batches in ((1, 3), (None, 1)):
        timing = learning_times(copy.deepcopy(model), x, x[..., 0], spec, RunContext(), batch=batch).timing
        assert (timing.steps, timing.planned_steps) == (3 * 8, 3 * 7)  # updates 0…7, the last unneeded
        assert timing.logs == timing.planned_logs == batches
        assert 0 < timing.first_log_cpu_s <= timing.log_cpu_s < timing.cpu_s


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
    # at a tenth of the steps: periodic logs scale with them (3.1 planned: 3 s + 2.1 × 1 s), fixed
    # ones (a sweep's batch set-ups) do not
    assert cost.loop_seconds(timing_dict(), share=0.1) == pytest.approx({"steps": 60.0, "logs": 5.1})
    assert cost.loop_seconds(timing_dict(fixed_logs=True), share=0.1) == {"steps": 60.0, "logs": 33.0}


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
    assert row["cpu_core_hours_bound"] == pytest.approx(2 * job / 3600)
    assert row["longest_job_cpu_h_bound"] == pytest.approx(job / 3600)
    # no prediction: expected = bound
    assert row["cpu_core_hours_expected"] == row["cpu_core_hours_bound"] and row["expected_from"] == "no prediction"
    assert np.isnan(row["gpu_hours_bound"]) and row["planned_steps"] == row["expected_steps"] == 600
    # 3 × 648 s / 2 threads = 16.2 min, rounded up to 5 minutes
    assert row["runtime_min"] == 20 and cost.runtime_min(10.0, 1) == cost.RUNTIME_FLOOR_MIN
    frame = cost.table(
        [row, row | {"experiment": "other", "cpu_core_hours_bound": 1.0, "cpu_core_hours_expected": 0.5}]
    )
    assert list(frame["experiment"]) == ["other", "toy", cost.TOTAL]
    assert frame.iloc[-1]["cpu_core_hours_bound"] == pytest.approx(1.0 + row["cpu_core_hours_bound"])
    assert frame.iloc[-1]["cpu_core_hours_expected"] == pytest.approx(0.5 + row["cpu_core_hours_expected"])
    text = cost.markdown(frame, "test machine")
    assert "start-up + f ×" in text and "| toy |" in text and "| total |" in text
    short = cost.table([row | {"config_runtime_min": 5}])
    assert "runtime_min below the derived value** in the config: toy (5 < 20)" in cost.markdown(short, "m")


def test_expected_cost_prices_loops_that_may_stop_early_at_their_share_and_keeps_the_bound():
    stops = {"process_cpu_s": 25.0, "wall_s": 30.0, "device": "cpu", "timings": [timing_dict(may_stop_early=True)]}
    runs = {"process_cpu_s": 25.0, "wall_s": 30.0, "device": "cpu", "timings": [timing_dict()]}
    resources = {"threads": 2, "runtime_min": 60}
    jobs = [("a", "r", 1.0)]
    plain = cost.experiment_row("toy", jobs, {"r": stops}, resources, seeds=1, data="d")
    row = cost.experiment_row("toy", jobs, {"r": stops}, resources, seeds=1, data="d", predictions=[(0.5, "quick run")])
    # half the steps (150 × 2 s) and logs (15.5 planned: the first 3 s + 14.5 of 1 s)
    assert row["cpu_core_hours_expected"] == pytest.approx((15.0 + 300.0 + 17.5) / 3600)
    assert row["expected_steps"] == 150 and row["expected_from"] == "quick run"
    for column in ("cpu_core_hours_bound", "longest_job_cpu_h_bound", "runtime_min", "planned_steps"):
        assert row[column] == plain[column], column
    # a loop that cannot stop early runs its planned steps, whatever the experiment's share
    share = cost.expected_share(runs, 1.0, {"net": "a"}, lambda variant: 1.0, {cost.ALL: 0.1})
    assert share == (1.0, "cannot stop early")
    fixed = cost.experiment_row("toy", jobs, {"r": runs}, resources, seeds=1, data="d", predictions=[share])
    assert fixed["cpu_core_hours_expected"] == fixed["cpu_core_hours_bound"] and fixed["expected_steps"] == 300


def loop(steps: int, planned: int, may_stop_early: bool = True) -> dict:
    return {"steps": steps, "planned_steps": planned, "may_stop_early": may_stop_early}


def test_expected_share_from_the_quick_runs(tmp_path):
    """Σ steps ÷ Σ planned steps of the loops that may stop early, of the quick run of the same
    variant (seeds and frequencies aside), else of all the experiment's quick runs."""
    quick = {
        "net-a_k-1-2": {
            "variant": {"net": "a", "ks": [1, 2], "seeds": [0]},
            "timings": [loop(30, 100), loop(50, 50, False)],
        },
        "net-b_k-1-2": {"variant": {"net": "b", "ks": [1, 2], "seeds": [0]}, "timings": [loop(10, 100)]},
        "net-c_k-1-2": {"variant": {"net": "c", "ks": [1], "seeds": [0]}, "timings": [loop(1, 100)], "max_steps": 3},
    }
    for run, meta in quick.items():
        (tmp_path / "toy" / run).mkdir(parents=True)
        (tmp_path / "toy" / run / "meta.json").write_text(json.dumps({"max_steps": None} | meta))
    metas = cost.quick_metas(tmp_path, "toy")
    assert len(metas) == 2  # the truncated run is no measurement
    shares = cost.quick_shares(metas)
    assert shares == pytest.approx({cost._kind({"net": "a"}): 0.3, cost._kind({"net": "b"}): 0.1, cost.ALL: 0.2})
    rehearsed = {"timings": [loop(3, 400)]}
    full = {"net": "a", "ks": list(range(1, 31)), "seeds": list(range(30))}
    assert cost.expected_share(rehearsed, 30.0, full, None, shares) == (pytest.approx(0.3), "quick run")
    assert cost.expected_share(rehearsed, 30.0, full | {"net": "d"}, None, shares) == (
        pytest.approx(0.2),
        "quick runs (all)",
    )
    assert cost.expected_share(rehearsed, 30.0, full, None, {}) == (1.0, "no prediction")
    # a closed form comes first: its updates ÷ the full job's planned (30 × 400)
    assert cost.expected_share(rehearsed, 30.0, full, lambda variant: 3000.0, shares) == (0.25, "closed form")
    assert cost.expected_share(rehearsed, 30.0, full, lambda variant: None, shares)[1] == "quick run"


def test_closed_form_expected_updates_of_a_shallow_sweep():
    """Σ over k and seeds of min(t_k, cap): t_k = ⌈ln(2·thr) / (2 ln(1 − lr·n·λ_k))⌉ where the
    mode contracts, the cap where it does not (λ_k = 0: odd k ≥ 3 without bias; lr·n·λ_k ≥ 2)."""
    from fprinciple.experiments import basri_shallow_1d

    cfg = {
        "nets": {"no_bias": {"bias": False, "cap": 100}},
        "lr": 0.01,
        "points": {"n": 100},
        "loss": "half_sse",
        "relative_threshold": False,
        "loss_threshold": 0.05,
    }
    variant = {"net": "no_bias", "ks": [2, 3], "seeds": [0, 1]}
    lam2, lam3 = basri_shallow_1d.eigenvalues(np.array([2, 3]), False)
    assert lam3 == 0 and 0 < 0.01 * 100 * lam2 < 2
    t2 = math.ceil(math.log(2 * 0.05) / (2 * math.log(1 - 0.01 * 100 * lam2)))
    assert t2 < 100
    assert basri_shallow_1d.expected_updates(cfg, variant) == 2 * (t2 + 100)
    # the learning rate at which k = 2 no longer contracts: the cap
    unstable = cfg | {"lr": 2.0 / (100 * lam2)}
    assert basri_shallow_1d.expected_updates(unstable, variant) == 2 * (100 + 100)
    # a relative threshold is of loss(f = 0) = ½: the absolute thr / 2
    relative = basri_shallow_1d.expected_updates(cfg | {"relative_threshold": True, "loss_threshold": 0.1}, variant)
    assert relative == basri_shallow_1d.expected_updates(cfg, variant)
    assert basri_shallow_1d.expected_updates(cfg | {"loss": "mse"}, variant) is None  # no closed form


def rehearsed_sweep(cfg: dict, experiment: str):
    """A sweep's jobs (``cost.plan``), its variants, and one-seed rehearsals planning cap × k's."""
    run_side = cost.experiments.part(experiment, "run")
    rehearsed = run_side.runs(cfg | {"seeds": cfg["seeds"][:1]})
    metas = {run: {"timings": [loop(3, cfg["nets"][v["net"]]["cap"] * len(v["ks"]))]} for run, v in rehearsed.items()}
    return cost.plan(run_side, cfg, cfg | {"seeds": cfg["seeds"][:1]}), run_side.runs(cfg), metas


def test_predictions_pick_the_closed_form_else_the_quick_runs(tmp_path, quick_config):
    """A shallow sweep's jobs by its closed form; the deep sweep (no closed form) by the quick runs."""
    from fprinciple.experiments import basri_shallow_1d

    cfg = quick_config["experiments"]["basri_shallow_1d"]
    jobs, variants, metas = rehearsed_sweep(cfg, "basri_shallow_1d")
    for (run, _, _), (share, rule) in zip(jobs, cost.predictions("basri_shallow_1d", cfg, jobs, metas, None)):
        planned = cfg["nets"][variants[run]["net"]]["cap"] * len(variants[run]["ks"]) * len(cfg["seeds"])
        assert rule == "closed form" and share == pytest.approx(
            basri_shallow_1d.expected_updates(cfg, variants[run]) / planned
        )
        assert 0 < share < 1

    cfg = quick_config["experiments"]["basri_deep"]
    jobs, _, metas = rehearsed_sweep(cfg, "basri_deep")
    assert {rule for _, rule in cost.predictions("basri_deep", cfg, jobs, metas, tmp_path)} == {"no prediction"}
    (tmp_path / "runs" / "basri_deep" / "net-plain_k-1-4").mkdir(parents=True)
    quick_run = {"variant": {"net": "plain", "ks": [1, 2, 3, 4], "seeds": [0]}, "timings": [loop(25, 100)]}
    (tmp_path / "runs" / "basri_deep" / "net-plain_k-1-4" / "meta.json").write_text(json.dumps(quick_run))
    shares = dict(zip([run for run, _, _ in jobs], cost.predictions("basri_deep", cfg, jobs, metas, tmp_path)))
    assert {shares[run] for run in shares if run.startswith("net-plain")} == {(0.25, "quick run")}
    assert {shares[run] for run in shares if run.startswith("net-residual")} == {(0.25, "quick runs (all)")}


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
