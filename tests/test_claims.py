"""The claims table: a per-seed claim is judged seed by seed and reproduced when the one-sided 95%
Clopper–Pearson lower bound of its holding rate is above 0.5; controls are judged the same way and
must not be reproduced; three statuses; declarations that must stay true."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fprinciple import claims as claims_table
from fprinciple.claims import (
    ACROSS_SEEDS,
    CLAIM_COLUMNS,
    SUITE,
    Claim,
    evaluate,
    frame,
    lower_bound,
    markdown,
    rate_reproduced,
    strictly_increasing,
)


@pytest.mark.parametrize("held, judged, bound, reproduced", [
    (0, 5, 0.0, False), (5, 5, 0.549, True), (4, 4, 0.473, False), (9, 10, 0.606, True), (8, 10, 0.493, False),
    (15, 20, 0.544, True), (14, 20, 0.492, False), (19, 20, 0.784, True),
])
def test_the_rule_on_known_cases(held, judged, bound, reproduced):
    """The one-sided 95% Clopper–Pearson lower bound: with 5 seeds all must hold, with 10 nine,
    with 20 fifteen."""
    assert lower_bound(held, judged) == pytest.approx(bound, abs=5e-4)
    assert rate_reproduced(held, judged) is reproduced


def test_the_lower_bound_matches_its_closed_form_at_the_ends():
    """n of n holding: the bound solves p^n = 0.05."""
    for n in (5, 10, 20, 50):
        assert lower_bound(n, n) == pytest.approx(0.05 ** (1 / n))
    assert np.isnan(lower_bound(0, 0)) and not rate_reproduced(0, 0)


def fake_claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    """Claim "fits" holds when every run's final value is below 0.1; "moves" when every run
    changed; "pooled" is one statistic over the seeds (mean final below 0.5)."""
    finals = metrics.sort_values("step").groupby("seed")["value"].last()
    firsts = metrics.sort_values("step").groupby("seed")["value"].first()
    return [
        Claim("fits", "the output fits", f"{finals.max():.2f}", "< 0.1", bool((finals < 0.1).all())),
        Claim("moves", "the output moves", f"{(firsts - finals).min():.2f}", "> 0", bool((finals < firsts).all())),
        Claim("pooled", "fits on average", f"{finals.mean():.2f}", "mean < 0.5", bool(finals.mean() < 0.5),
              replication=ACROSS_SEEDS),
    ]


def runs(learner: str, finals) -> pd.DataFrame:
    """One run per seed: value 1.0 at step 0, then the seed's final value at step 10."""
    return pd.concat([pd.DataFrame({"learner": learner, "seed": seed, "step": [0, 10], "value": [1.0, final]})
                      for seed, final in enumerate(finals)])


def table(cfg=None, **finals) -> pd.DataFrame:
    metrics = pd.concat([runs(name, values) for name, values in finals.items()])
    return evaluate(fake_claims, metrics, cfg or {}, experiment="x", scale="quick", dataset="toy").set_index("claim")


GOOD, FLAT = [0.01] * 10, [1.0] * 10


def test_a_per_seed_claim_reports_its_rate_and_bound():
    rows = table(trained=[0.01] * 9 + [0.5], frozen=FLAT)
    fits = rows.loc["fits"]
    assert (fits["held"], fits["judged"]) == (9, 10) and fits["lower_bound"] == pytest.approx(0.606, abs=1e-3)
    assert fits["status"] == "reproduced" and fits["passed"]
    assert fits["measured"].startswith("holds in 9/10 seeds (lower bound 0.61)")
    assert "Clopper–Pearson" in fits["threshold"] and fits["threshold"].startswith("per seed: < 0.1")
    assert table(trained=[0.01] * 8 + [0.5] * 2, frozen=FLAT).loc["fits", "status"] == "not reproduced"


def test_too_few_seeds_cannot_reproduce_a_per_seed_claim():
    rows = table(trained=[0.01] * 4, frozen=[1.0] * 4)
    assert rows.loc["fits", "status"] == "not reproduced" and (rows.loc["fits", "held"], rows.loc["fits", "judged"]) == (4, 4)


def test_an_across_seed_claim_keeps_its_own_verdict():
    rows = table(trained=[0.01, 0.01, 0.9], frozen=[1.0] * 3)
    assert rows.loc["pooled", "status"] == "reproduced" and pd.isna(rows.loc["pooled", "held"])
    assert rows.loc["pooled", "replication"] == ACROSS_SEEDS and rows.loc["pooled", "threshold"] == "mean < 0.5"


def test_a_control_that_is_reproduced_fails_the_row_and_one_that_is_not_does_not():
    rows = table(trained=GOOD, frozen=FLAT, mean=[0.05] * 10)  # the mean predictor also "fits"
    assert rows.loc["fits", "status"] == "not reproduced" and rows.loc["fits", "control_mean"]
    assert rows.loc["fits", "control_mean_measured"].startswith("holds in 10/10 seeds")
    assert "also reproduced by the control(s) mean" in rows.loc["fits", "note"]
    rare = table(trained=GOOD, frozen=FLAT, mean=[0.05] + [1.0] * 9)  # holds on one seed of ten: not reproduced
    assert rare.loc["fits", "status"] == "reproduced" and not rare.loc["fits", "control_mean"]
    assert "holds in 1/10 seeds" in rare.loc["fits", "control_mean_measured"]


def test_an_exempt_control_is_reported_but_does_not_fail_the_row():
    def exempting(exempted):
        return lambda metrics, cfg: [replace(c, exempt=((exempted, "true of it by construction"),))
                                     for c in fake_claims(metrics, cfg)]

    metrics = pd.concat([runs("trained", GOOD), runs("frozen", FLAT), runs("coin", [0.05] * 10)])
    rows = evaluate(exempting("coin"), metrics, {}, experiment="x", scale="quick", dataset="toy").set_index("claim")
    assert rows.loc["fits", "status"] == "reproduced" and rows.loc["fits", "control_coin"]
    assert "not held against control coin: true of it by construction" in rows.loc["fits", "note"]
    assert rows.loc["fits", "control_coin_measured"].startswith("not held against (note); holds in 10/10 seeds")
    assert rows.loc["fits", "control_frozen"] == False  # noqa: E712 (a pandas boolean)
    with pytest.raises(ValueError, match="cannot be exempted"):
        evaluate(exempting("frozen"), metrics, {}, experiment="x", scale="quick", dataset="toy")


def test_the_rule_fills_in_experiment_scale_seeds_and_dataset():
    rows = evaluate(fake_claims, runs("trained", GOOD), {}, experiment="x", scale="quick", dataset="toy")
    assert list(rows.columns[: len(CLAIM_COLUMNS)]) == CLAIM_COLUMNS
    assert set(rows["experiment"]) == {"x"} and set(rows["dataset"]) == {"toy"} and set(rows["seeds"]) == {10}
    assert "control_mean" not in rows  # only the controls that were logged
    assert set(rows["source"]) == {"paper"}  # a claim is the paper's unless it says it is the suite's own


def test_a_claim_of_the_suite_says_so_in_its_row_and_in_the_table():
    def own_claims(metrics, cfg):
        return [replace(claim, source=SUITE) for claim in fake_claims(metrics, cfg)]

    rows = evaluate(own_claims, runs("trained", GOOD), {}, experiment="x", scale="quick", dataset="toy")
    assert set(rows["source"]) == {SUITE}
    assert "| source |" in markdown(rows) and "| suite |" in markdown(rows)


def test_declared_rows_keep_their_status_until_they_hold_then_they_are_stale():
    cfg = {"claims": {"not_reproduced": {"fits": "the net is too small here"}, "untested": {"moves": "no data"}}}
    failing = table(cfg, trained=[0.5] * 10, frozen=FLAT)
    assert failing.loc["fits", "status"] == "not reproduced" and failing.loc["fits", "declared"] == "not reproduced"
    assert "declared not reproduced at this scale: the net is too small here" in failing.loc["fits", "note"]
    assert not failing.loc["fits", "stale"] and failing.loc["moves", "stale"]  # "moves" holds: declared untested in vain
    cfg["claims"]["untested"] = {"fits": "no data"}
    cfg["claims"]["not_reproduced"] = {}
    untested = table(cfg, trained=[0.5] * 10, frozen=FLAT)
    assert untested.loc["fits", "status"] == "untested" and "declared untested" in untested.loc["fits", "note"]
    holding = table(cfg, trained=GOOD, frozen=FLAT)
    assert holding.loc["fits", "status"] == "reproduced" and holding.loc["fits", "stale"]
    assert "STALE declaration" in holding.loc["fits", "note"]
    with pytest.raises(ValueError, match="name no claim"):
        table({"claims": {"not_reproduced": {"typo": "?"}}}, trained=GOOD, frozen=FLAT)
    with pytest.raises(ValueError, match="declared twice"):
        table({"claims": {"not_reproduced": {"fits": "a"}, "untested": {"fits": "b"}}}, trained=GOOD, frozen=FLAT)


def test_a_claim_with_nothing_to_judge_is_untested():
    def nothing(metrics, cfg):
        return [Claim("empty", "s", "no runs", "t", None)]

    rows = evaluate(nothing, runs("trained", GOOD), {}, experiment="x", scale="quick", dataset="d")
    assert rows.iloc[0]["status"] == "untested" and rows.iloc[0]["judged"] == 0


def conditioned(pooled: bool):
    def claims(metrics, cfg):
        finals = metrics.sort_values("step").groupby(["cell", "seed"])["value"].last()
        return [Claim("fits", "s", f"{finals.max():.2f}", "< 0.1", bool((finals < 0.1).all()),
                      conditions=("cell",), pooled=pooled)]
    return claims


def test_conditions_are_judged_each_by_the_rule_or_pooled():
    """Two cells, ten seeds: cell b holds in 8/10, so not every condition is reproduced, while the
    pooled rate 18/20 is."""
    metrics = pd.concat([runs("trained", GOOD).assign(cell="a"),
                         runs("trained", [0.01] * 8 + [0.5] * 2).assign(cell="b")])
    every = evaluate(conditioned(False), metrics, {}, experiment="x", scale="quick", dataset="d").iloc[0]
    assert every["status"] == "not reproduced" and (every["held"], every["judged"]) == (18, 20)
    assert "per condition: a 10/10, b 8/10" in every["measured"] and "weakest b" in every["measured"]
    assert "in every cell condition" in every["threshold"]
    pooled = evaluate(conditioned(True), metrics, {}, experiment="x", scale="quick", dataset="d").iloc[0]
    assert pooled["status"] == "reproduced" and "pooled over 2 cell conditions" in pooled["measured"]


def test_summary_counts_rows_by_status_and_names_stale_declarations():
    rows = pd.concat([
        evaluate(fake_claims, runs("trained", GOOD), {"claims": {"untested": {"moves": "m"}}}, experiment="a",
                 scale="quick", dataset="d"),
        evaluate(fake_claims, runs("trained", [0.5] * 10), {"claims": {"untested": {"fits": "no data"}}}, experiment="b",
                 scale="quick", dataset="d"),
    ])
    text = markdown(frame(rows.to_dict("records")))
    assert "4 reproduced, 1 not reproduced, 1 untested (b: 1; their notes say what is missing) of 6 claims" in text
    assert "1 stale declaration(s): a/moves" in text and "stale declaration" in text


def test_smoke_and_rehearsal_rows_are_not_evidence():
    rows = evaluate(fake_claims, runs("trained", GOOD), {}, experiment="x", scale="rehearsal", dataset="d")
    assert rows["note"].str.contains("not evidence").all()
    assert "not evidence" in markdown(frame(rows.to_dict("records")))


def test_merged_tables_keep_every_experiments_controls():
    a = evaluate(fake_claims, pd.concat([runs("trained", GOOD), runs("frozen", FLAT)]), {}, experiment="a",
                 scale="quick", dataset="d")
    b = evaluate(fake_claims, pd.concat([runs("trained", GOOD), runs("opposite", FLAT)]), {}, experiment="b",
                 scale="quick", dataset="d")
    merged = frame(pd.concat([a, b]).to_dict("records"))
    assert {"control_frozen", "control_opposite"} <= set(merged.columns)
    assert merged["control_opposite"].isna().sum() == 3  # a had no such control
    assert "control: opposite" in markdown(merged) and "6 reproduced" in markdown(merged)
    assert "<table" in claims_table.html(merged)


def test_strictly_increasing():
    assert strictly_increasing([1, 2, 3])
    for values in ([1, 1, 2], [2, 1, 3], [1, 2, np.nan], [1, np.nan, 2], [np.nan] * 3, [3]):
        assert not strictly_increasing(values)
