"""fp_nongd: the per-optimizer order claim on synthetic ΔF histories (it passes on a low-first
history and fails on inverted, tied, unconverged, single-peak and flat ones), judged by the seed
rule against the controls, and tiny runs of every method."""

import pandas as pd
import pytest

from fprinciple import claims as claims_table
from fprinciple.experiments.fp_nongd import claims as nongd_claims
from fprinciple.experiments.fp_nongd import run as nongd_run
from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.training import RunContext

PEAKS = (1, 3, 5)
NET = {"activation": "tanh", "init": "fan_in", "init_std": 1.0, "bias": True}
PLAN = {"log_every": 1, "swarm_size": 40, "swarm_sigma": 1.0, "options": {}}  # the schema's defaults
CFG = {
    "seeds": [0],
    "grid": {"n": 32, "low": -3.1415, "high": 3.1415, "endpoint": True},
    "target": {"kind": "sines", "frequencies": [1, 3, 5], "amplitudes": [1.0, 1.0, 1.0]},
    "model": {"hidden": [4], **NET},
    "spectrum": {
        "max_freq": 8,
        "n_peaks": 3,
        "delta_form": "complex",
        "threshold": 0.1,
        "window": 3,
        "stop_when_converged": False,
    },
    "methods": {
        "bfgs": {**PLAN, "max_iterations": 6, "options": {"gtol": 0.0}},
        "powell": {
            **PLAN,
            "max_iterations": 2,
            "max_evaluations": 200,
            "log_every_evaluations": 40,
            "model": {"hidden": [3], **NET},
        },
        "pso": {**PLAN, "max_iterations": 3, "swarm_size": 4, "swarm_sigma": 0.5},
    },
}


def history(converged_at, method="bfgs", seed=0, learner=TRAINED, steps=60):
    """ΔF rows: peak k is at 0.5 before its step and 0.01 from it on (NaN: never converges)."""
    rows = []
    for step in range(steps + 1):
        for k, at in zip(PEAKS, converged_at):
            value = 0.01 if at is not None and step >= at else 0.5
            rows.append(
                {
                    "run": f"method-{method}_seed-{seed}",
                    "seed": seed,
                    "method": method,
                    "learner": learner,
                    "step": step,
                    "metric": "delta_f",
                    "key": float(k),
                    "value": value,
                }
            )
    return pd.DataFrame(rows)


def claim(metrics, method="bfgs"):
    return nongd_claims.order_claim(metrics, CFG, method)


def test_low_first_history_passes_and_reports_steps():
    result = claim(pd.concat([history((5, 10, 30)), history((2, 8, 20), seed=1)]))
    assert result.passed and result.claim == "lower_peaks_first_bfgs"
    assert "k=1: 5, k=3: 10, k=5: 30" in result.measured and "2/2 seeds" in result.measured
    assert result.note == ""


@pytest.mark.parametrize(
    "converged_at",
    [(30, 10, 5), (5, 5, 30), (5, None, None), (None, None, None), (None, 5, 10), (5, None, 10), (5, 10, None)],
)
def test_inverted_tied_single_and_flat_histories_fail(converged_at):
    assert not claim(history(converged_at)).passed


def test_one_failing_seed_fails_the_claim_and_the_note_says_why():
    result = claim(pd.concat([history((5, 10, 30)), history((10, 5, 30), seed=1), history((5, 5, 30), seed=2)]))
    assert not result.passed and "1/3 seeds" in result.measured
    assert "seed 1: k=3 converges before k=1" in result.note
    assert "seed 2: k=1 and k=3 converge at the same logged point (5)" in result.note


def test_a_failing_seed_notes_when_each_peak_first_fell_below_the_threshold():
    """k = 1 dips below at step 2, is lifted back above, and settles with k = 3 at step 10."""
    rows = history((10, 10, 30))
    early = (rows["key"] == 1.0) & (rows["step"] == 2)
    rows.loc[early, "value"] = 0.01
    result = claim(rows)
    assert not result.passed
    assert "k=1 and k=3 converge at the same logged point (10)" in result.note
    assert "first logged point below the threshold: k=1: 2, k=3: 10, k=5: 30" in result.note


def test_a_highest_peak_that_never_converges_fails_the_seed_and_is_noted():
    """The loose pass closed: a net that never fits k = 5 does not show "lower first" for it."""
    result = claim(history((5, 10, None)))
    assert not result.passed
    assert "k=5: never" in result.measured and "k = 5 did not converge" in result.note
    assert "k = 5 never converges within the run" in result.note


def test_no_rows_of_the_method_leave_nothing_to_judge():
    result = claim(history((5, 10, 30), method="cg"), method="bfgs")
    assert result.passed is None and "no runs" in result.measured


def seeds_of(converged_at, seeds=range(5), learner=TRAINED):
    return pd.concat([history(converged_at, seed=seed, learner=learner) for seed in seeds])


def test_the_table_is_reproduced_only_if_every_control_is_not():
    metrics = pd.concat(
        [
            seeds_of((5, 10, 30)),
            seeds_of((None, None, None), learner=FROZEN),
            seeds_of((None, None, None), learner=MEAN),
            seeds_of((30, 10, 5), learner="opposite"),
        ]
    )
    cfg = {**CFG, "methods": {"bfgs": CFG["methods"]["bfgs"]}}
    table = claims_table.evaluate(nongd_claims.claims, metrics, cfg, experiment="fp_nongd", scale="quick", dataset="d")
    row = table.iloc[0]
    assert row["status"] == "reproduced" and (row["held"], row["judged"]) == (5, 5)
    assert not row["control_frozen"] and not row["control_mean"] and not row["control_opposite"]
    metrics = pd.concat([metrics, seeds_of((5, 10, 30), learner="bad")])  # a control that is reproduced sinks the row
    table = claims_table.evaluate(nongd_claims.claims, metrics, cfg, experiment="fp_nongd", scale="quick", dataset="d")
    assert table.iloc[0]["status"] == "not reproduced" and table.iloc[0]["control_bad"]


def test_a_method_is_judged_on_its_own_seeds():
    """Methods with seed lists of their own: a seed another method ran is not one of this one's."""
    metrics = pd.concat([seeds_of((5, 10, 30)), history((5, 10, 30), method="pso", seed=7)])
    cfg = {**CFG, "methods": {"bfgs": CFG["methods"]["bfgs"], "pso": CFG["methods"]["pso"]}}
    table = claims_table.evaluate(
        nongd_claims.claims, metrics, cfg, experiment="fp_nongd", scale="quick", dataset="d"
    ).set_index("claim")
    assert (table.loc["lower_peaks_first_bfgs", "judged"], table.loc["lower_peaks_first_pso", "judged"]) == (5, 1)
    assert table.loc["lower_peaks_first_bfgs", "status"] == "reproduced"
    assert table.loc["lower_peaks_first_pso", "status"] == "not reproduced"  # 1/1: too few seeds to decide


# --- tiny runs --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(CFG["methods"]))
def test_each_method_runs_and_logs_delta_f_for_every_learner(method):
    result = nongd_run.fit(CFG, method, 0, RunContext(progress=False))
    records = result.records
    assert set(records["learner"]) == {TRAINED, FROZEN, MEAN, "opposite"}
    delta = records[(records["metric"] == "delta_f") & (records["learner"] == TRAINED)]
    assert set(delta["key"]) == set(map(float, PEAKS))
    spent = records[records["metric"] == "evaluations"].set_index("step")["value"]
    if method == "powell":  # the evaluation clock: step = evaluations, iterations recorded
        assert (spent.index.to_numpy() == spent.to_numpy()).all()
        assert "iterations" in set(records["metric"])
        assert list(spent.index[:3]) == [0, 40, 80]
    else:
        assert list(spent.index) == list(range(result.steps + 1))  # one logged point per iteration
    frozen = records[(records["metric"] == "delta_f") & (records["learner"] == FROZEN)]
    assert frozen.groupby("key")["value"].nunique().eq(1).all()  # never updated
    trained = records[records["learner"] == TRAINED].assign(method=method, run="r", seed=0)
    [row] = nongd_claims.claims(trained, {**CFG, "methods": {method: CFG["methods"][method]}})
    assert row.claim == f"lower_peaks_first_{method}" and "seed 0" in row.measured


def test_rehearsal_truncates_the_iterations():
    result = nongd_run.fit(CFG, "bfgs", 0, RunContext(progress=False, max_steps=2))
    assert result.steps == 2 and result.stopped_by == "max_steps"


def test_one_job_per_method_trains_its_own_seeds():
    cfg = {
        **CFG,
        "seeds": [0, 1],
        "methods": {**CFG["methods"], "bfgs": {**CFG["methods"]["bfgs"], "seeds": [0, 1, 2]}},
    }
    assert nongd_run.runs(cfg) == {
        "method-bfgs": {"method": "bfgs", "seeds": [0, 1, 2]},
        "method-powell": {"method": "powell", "seeds": [0, 1]},
        "method-pso": {"method": "pso", "seeds": [0, 1]},
    }
    result = nongd_run.run(CFG, {"method": "bfgs", "seeds": [0, 3]}, RunContext(progress=False))
    assert set(result.records["seed"]) == {0, 3}


def test_a_stop_rule_ends_the_optimizer_at_the_next_iteration(monkeypatch):
    """``spectrum.stop_when_converged`` hands the 1-D engine's rule to the optimizer; here a rule
    that is satisfied once three iterations are logged."""
    cfg = {**CFG, "methods": {"bfgs": {**CFG["methods"]["bfgs"], "max_iterations": 50}}}
    full = nongd_run.fit(cfg, "bfgs", 0, RunContext(progress=False))
    calls = []

    def after_three(records):
        calls.append(len(records))
        return len({step for step, *_ in records}) >= 3

    monkeypatch.setattr(nongd_run.fit1d, "stop_rule", lambda _cfg: after_three)  # the rule fit() asks for
    stopped = nongd_run.fit(cfg, "bfgs", 0, RunContext(progress=False))
    assert calls and stopped.stopped_by == "answered" and stopped.steps == 3 < full.steps
