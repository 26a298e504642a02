"""The claims table: a claim passes only if it holds for the trained network and fails on every
control; controls get their own columns; a claim a scale does not reproduce never passes."""

import pandas as pd
import pytest

from fprinciple.claims import CLAIM_COLUMNS, Claim, evaluate, frame, markdown


def fake_claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    """Claim "fits" holds when the learner's final value is below 0.1; "moves" when it changed."""
    values = metrics.sort_values("step")["value"]
    return [
        Claim("fits", "the output fits", f"{values.iloc[-1]:.2f}", "< 0.1", bool(values.iloc[-1] < 0.1)),
        Claim("moves", "the output moves", f"{values.iloc[0] - values.iloc[-1]:.2f}", "> 0", bool(values.iloc[-1] < values.iloc[0])),
    ]


def metrics(**finals) -> pd.DataFrame:
    return pd.concat([
        pd.DataFrame({"learner": name, "seed": 0, "step": [0, 10], "value": [1.0, final]}) for name, final in finals.items()
    ])


def table(cfg=None, **finals):
    return evaluate(fake_claims, metrics(**finals), cfg or {}, experiment="x", scale="quick", dataset="toy").set_index("claim")


def test_a_claim_passes_only_if_every_control_fails_it():
    good = table(trained=0.01, frozen=1.0, mean=1.0)
    assert good["passed"].all() and not good["control_frozen"].any() and not good["control_mean"].any()
    leaky = table(trained=0.01, frozen=1.0, mean=0.05)  # the mean predictor also "fits"
    assert not leaky.loc["fits", "passed"] and leaky.loc["fits", "control_mean"]
    assert leaky.loc["fits", "control_mean_measured"] == "0.05"
    assert not table(trained=0.5, frozen=1.0, mean=1.0).loc["fits", "passed"]


def test_the_rule_fills_in_experiment_scale_seeds_and_dataset():
    rows = evaluate(fake_claims, metrics(trained=0.01, frozen=1.0), {}, experiment="x", scale="quick", dataset="toy")
    assert list(rows.columns[: len(CLAIM_COLUMNS)]) == CLAIM_COLUMNS
    assert set(rows["experiment"]) == {"x"} and set(rows["dataset"]) == {"toy"} and set(rows["seeds"]) == {1}
    assert "control_mean" not in rows  # only the controls that were logged


def test_not_reproduced_claims_are_shown_but_never_pass():
    rows = table({"claims": {"not_reproduced": {"fits": "the net is too small here"}}}, trained=0.01, frozen=1.0)
    assert not rows.loc["fits", "passed"] and rows.loc["moves", "passed"]
    assert rows.loc["fits", "note"] == "not reproduced at this scale: the net is too small here (the test itself holds here)"
    with pytest.raises(ValueError, match="names no claim"):
        table({"claims": {"not_reproduced": {"typo": "?"}}}, trained=0.01, frozen=1.0)


def test_smoke_and_rehearsal_rows_are_not_evidence():
    rows = evaluate(fake_claims, metrics(trained=0.01, frozen=1.0), {}, experiment="x", scale="rehearsal", dataset="d")
    assert rows["note"].str.contains("not evidence").all()
    assert "not evidence" in markdown(frame(rows.to_dict("records")))


def test_merged_tables_keep_every_experiments_controls():
    a = evaluate(fake_claims, metrics(trained=0.01, frozen=1.0), {}, experiment="a", scale="quick", dataset="d")
    b = evaluate(fake_claims, metrics(trained=0.01, opposite=1.0), {}, experiment="b", scale="quick", dataset="d")
    merged = frame(pd.concat([a, b]).to_dict("records"))
    assert {"control_frozen", "control_opposite"} <= set(merged.columns)
    assert merged["control_opposite"].isna().sum() == 2  # a had no such control
    text = markdown(merged)
    assert "control: opposite" in text and "4 of 4 claims pass" in text
