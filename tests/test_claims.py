"""The claims table: a per-seed claim is judged seed by seed and reproduced when the one-sided 95%
Clopper–Pearson lower bound of its holding rate is above 0.5; controls are judged the same way and
must not be reproduced; three statuses; declarations that must stay true."""

import re
from dataclasses import replace
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from fprinciple import claims_table, experiments, steps
from fprinciple.claims import (
    ACROSS_SEEDS,
    CLAIM_COLUMNS,
    NOT_EVIDENCE,
    SUITE,
    Claim,
    evaluate,
    frame,
    lower_bound,
    rate_reproduced,
    strictly_increasing,
)


@pytest.mark.parametrize(
    "held, judged, bound, reproduced",
    [
        (0, 5, 0.0, False),
        (5, 5, 0.549, True),
        (4, 4, 0.473, False),
        (9, 10, 0.606, True),
        (8, 10, 0.493, False),
        (15, 20, 0.544, True),
        (14, 20, 0.492, False),
        (19, 20, 0.784, True),
    ],
)
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
        Claim(
            "pooled",
            "fits on average",
            f"{finals.mean():.2f}",
            "mean < 0.5",
            bool(finals.mean() < 0.5),
            replication=ACROSS_SEEDS,
        ),
    ]


def runs(learner: str, finals) -> pd.DataFrame:
    """One run per seed: value 1.0 at step 0, then the seed's final value at step 10."""
    return pd.concat(
        [
            pd.DataFrame({"learner": learner, "seed": seed, "step": [0, 10], "value": [1.0, final]})
            for seed, final in enumerate(finals)
        ]
    )


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
    assert fits["verdict"] == fits["measured"].split("; ")[0]  # the table's one line: the rate alone
    assert "Clopper–Pearson" in fits["threshold"] and fits["threshold"].startswith("per seed: < 0.1")
    assert table(trained=[0.01] * 8 + [0.5] * 2, frozen=FLAT).loc["fits", "status"] == "not reproduced"


def test_too_few_seeds_cannot_reproduce_a_per_seed_claim():
    rows = table(trained=[0.01] * 4, frozen=[1.0] * 4)
    assert rows.loc["fits", "status"] == "not reproduced" and (
        rows.loc["fits", "held"],
        rows.loc["fits", "judged"],
    ) == (4, 4)


def test_an_across_seed_claim_keeps_its_own_verdict():
    rows = table(trained=[0.01, 0.01, 0.9], frozen=[1.0] * 3)
    assert rows.loc["pooled", "status"] == "reproduced" and pd.isna(rows.loc["pooled", "held"])
    assert rows.loc["pooled", "replication"] == ACROSS_SEEDS and rows.loc["pooled", "threshold"] == "mean < 0.5"
    assert rows.loc["pooled", "verdict"] == rows.loc["pooled", "measured"]  # the statistic is the verdict


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
        return lambda metrics, cfg: [
            replace(c, exempt=((exempted, "true of it by construction"),)) for c in fake_claims(metrics, cfg)
        ]

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
    assert "| source |" in claims_table.markdown(rows) and "| suite |" in claims_table.markdown(rows)


def test_declared_rows_keep_their_status_until_they_hold_then_they_are_stale():
    cfg = {"claims": {"not_reproduced": {"fits": "the net is too small here"}, "untested": {"moves": "no data"}}}
    failing = table(cfg, trained=[0.5] * 10, frozen=FLAT)
    assert failing.loc["fits", "status"] == "not reproduced" and failing.loc["fits", "declared"] == "not reproduced"
    assert "declared not reproduced at this scale: the net is too small here" in failing.loc["fits", "note"]
    assert (
        not failing.loc["fits", "stale"] and failing.loc["moves", "stale"]
    )  # "moves" holds: declared untested in vain
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
        return [
            Claim(
                "fits",
                "s",
                f"{finals.max():.2f}",
                "< 0.1",
                bool((finals < 0.1).all()),
                conditions=("cell",),
                pooled=pooled,
            )
        ]

    return claims


def test_conditions_are_judged_each_by_the_rule_or_pooled():
    """Two cells, ten seeds: cell b holds in 8/10, so not every condition is reproduced, while the
    pooled rate 18/20 is."""
    metrics = pd.concat(
        [runs("trained", GOOD).assign(cell="a"), runs("trained", [0.01] * 8 + [0.5] * 2).assign(cell="b")]
    )
    every = evaluate(conditioned(False), metrics, {}, experiment="x", scale="quick", dataset="d").iloc[0]
    assert every["status"] == "not reproduced" and (every["held"], every["judged"]) == (18, 20)
    assert "per condition: a 10/10, b 8/10" in every["measured"] and "weakest b" in every["measured"]
    assert "weakest b" in every["verdict"] and "per condition" not in every["verdict"]
    assert "in every cell condition" in every["threshold"]
    pooled = evaluate(conditioned(True), metrics, {}, experiment="x", scale="quick", dataset="d").iloc[0]
    assert pooled["status"] == "reproduced" and "pooled over 2 cell conditions" in pooled["measured"]


def every_outcome(scale: str = "quick") -> pd.DataFrame:
    """Four real experiment ids (so their pages exist), twelve rows, every outcome:
    fp1d_step all reproduced; dfp_depth one not reproduced and one untested as declared, and a
    stale declaration; fp_parity reproduced with an exempt control that holds; basri_deep sunk by
    the mean predictor, undeclared: unexpected. One statement holds a pipe and markup."""

    def exempting(metrics, cfg):
        return [replace(c, exempt=(("coin", "true of it by construction"),)) for c in fake_claims(metrics, cfg)]

    def piped(metrics, cfg):
        return [
            replace(c, statement="|f − y| < 0.1 <b>everywhere</b>") if c.claim == "fits" else c
            for c in fake_claims(metrics, cfg)
        ]

    declared = {
        "claims": {
            "not_reproduced": {"fits": "the net is too small here", "moves": "it did not move"},
            "untested": {"pooled": "no data at this scale"},
        }
    }
    parts = [
        ("fp1d_step", piped, {"trained": GOOD, "frozen": FLAT}, {}),
        ("dfp_depth", fake_claims, {"trained": [0.5] * 10, "frozen": FLAT}, declared),
        ("fp_parity", exempting, {"trained": GOOD, "frozen": FLAT, "coin": [0.05] * 10}, {}),
        ("basri_deep", fake_claims, {"trained": GOOD, "frozen": FLAT, "mean": [0.05] * 10}, {}),
    ]
    rows = [
        evaluate(
            claims,
            pd.concat([runs(name, values) for name, values in learners.items()]),
            cfg,
            experiment=experiment,
            scale=scale,
            dataset="toy",
        )
        for experiment, claims, learners, cfg in parts
    ]
    return frame(pd.concat(rows).to_dict("records"))


EXPECTED = (
    {("fp1d_step", claim): "reproduced" for claim in ("fits", "moves", "pooled")}
    | {("dfp_depth", "fits"): "not reproduced", ("dfp_depth", "moves"): "stale", ("dfp_depth", "pooled"): "untested"}
    | {("fp_parity", claim): "reproduced" for claim in ("fits", "moves", "pooled")}
    | {("basri_deep", claim): "unexpected" for claim in ("fits", "moves", "pooled")}
)
SUMMARY = (
    "6 reproduced · 1 not reproduced · 1 untested at this scale · ⚠ 3 unexpected · ⚠ 1 stale (12 claims, quick scale)"
)


def test_every_row_has_its_outcome_and_the_summary_counts_them():
    table = every_outcome()
    assert {(r["experiment"], r["claim"]): claims_table.outcome(r) for r in table.to_dict("records")} == EXPECTED
    assert claims_table.summary(table) == SUMMARY
    assert claims_table.flagged(table) == (
        "unexpected: basri_deep/fits, basri_deep/moves, basri_deep/pooled; stale: dfp_depth/moves"
    )
    labels = {claims_table.outcome(r): claims_table.status_label(r) for r in table.to_dict("records")}
    assert len(set(labels.values())) == 5  # declared and unexpected failures read differently
    assert labels["unexpected"].startswith("⚠") and labels["stale"].startswith("⚠")
    assert not labels["not reproduced"].startswith("⚠") and "declared" in labels["not reproduced"]


def md_table(text: str) -> list[list[str]]:
    """The Markdown table's body rows, split into cells at unescaped pipes."""
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]  # past the header
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def test_markdown_has_the_summary_one_short_row_per_claim_and_details(tmp_path):
    text = claims_table.markdown(every_outcome(), folder=tmp_path)
    assert f"**{SUMMARY}**" in text and "**⚠ unexpected: basri_deep/fits" in text
    rows = md_table(text)
    assert {len(row) for row in rows} == {7}  # the pipe in a statement is escaped, not a new cell
    cells = {(re.sub(r"\[(\w+)\]\(#\1\)", r"\1", row[0]), row[1].strip("`")): row for row in rows}
    assert set(cells) == set(EXPECTED)
    status = {EXPECTED[key]: row[2] for key, row in cells.items()}
    assert status["unexpected"].startswith("**⚠") and status["stale"].startswith("**⚠")
    assert len(set(status.values())) == 5
    assert "also on control mean: not evidence" in cells["basri_deep", "fits"][5]
    assert "Clopper" not in cells["fp1d_step", "fits"][6]  # the rule is stated once, above the table
    for experiment in {e for e, _ in EXPECTED}:
        assert f"[{experiment}](#{experiment})" in text and f"\n### {experiment}\n" in text
        assert f"[figure](figures/{experiment}.png)" in text
        page = re.search(rf"\[page\]\(([^)]*/{experiment}/README\.md)\)", text)[1]
        assert (tmp_path / page).resolve() == experiments.folder(experiment) / "README.md"
        assert (tmp_path / page).is_file()
    details = text[text.index("## Details") :]
    assert "control mean: **reproduced: sinks the row**" in details
    assert "control coin: reproduced, not held against it (see the note)" in details
    assert "declared not reproduced at this scale: the net is too small here" in details
    assert "STALE declaration" in details and "- note: " in details


class Page(HTMLParser):
    """What a claims page holds: each claim's tbody class and id, the links, the details."""

    def __init__(self, text: str):
        super().__init__()
        self.claims, self.links, self.details, self.badges, self.fetches = {}, [], 0, [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody":
            self.claims[attrs["id"]] = attrs["class"].split()
        elif tag == "a":
            self.links.append(attrs["href"])
        elif tag == "details":
            self.details += 1
        elif tag == "span" and "badge" in attrs.get("class", ""):
            self.badges.append(attrs["class"].split()[1])
        self.fetches += [value for key, value in attrs.items() if key == "src"]


def test_html_is_coloured_by_outcome_and_links_each_row_to_its_figure_and_page(tmp_path):
    text = claims_table.html(every_outcome(), folder=tmp_path)
    page = Page(text)
    assert page.claims == {f"{e}-{c}": ["claim", outcome.replace(" ", "-")] for (e, c), outcome in EXPECTED.items()}
    assert page.details == len(EXPECTED)
    assert page.badges == ["reproduced", "not-reproduced", "untested", "unexpected", "stale"]
    for outcome in page.badges:
        assert re.search(rf"\.{outcome} \{{ --edge: #\w+; --fill: #\w+; \}}", text)  # each its own colour
    for experiment in {e for e, _ in EXPECTED}:
        assert f"figures/{experiment}.png" in page.links
        docs = [link for link in page.links if link.endswith(f"/{experiment}/README.md")]
        assert len(docs) == 3 and (tmp_path / docs[0]).is_file()
    assert not page.fetches and "http" not in text  # self-contained: nothing fetched
    assert "&lt;b&gt;everywhere&lt;/b&gt;" in text and "<b>" not in text  # the statement is escaped


@pytest.mark.parametrize("scale", ["smoke", "rehearsal"])
def test_smoke_and_rehearsal_tables_say_not_evidence_and_flag_nothing_unexpected(scale):
    table, caveat = every_outcome(scale=scale), NOT_EVIDENCE[scale]
    assert claims_table.summary(table).endswith(f"(12 claims, {scale} scale); {caveat}")
    assert "unexpected" not in claims_table.summary(table)  # one seed: nothing is expected to hold
    assert f"> **{caveat}**" in claims_table.markdown(table)
    assert f'<p class="not-evidence"><strong>{caveat}</strong></p>' in claims_table.html(table)


def test_the_runs_last_line_is_the_summary_and_names_what_is_unexpected(tmp_path):
    every_outcome().to_parquet(tmp_path / "claims.parquet")
    line = steps.claims_summary(str(tmp_path / "claims.parquet"), "results/quick/claims.md")
    assert "\n" not in line and line.startswith(f"Claims: {SUMMARY}; ⚠ unexpected: basri_deep/fits")
    assert line.endswith("Table: results/quick/claims.md (claims.html beside it)")


def test_a_scope_line_stands_above_the_table():
    scope = "fp1d_step only: the other experiments are not in this table"
    table = every_outcome()
    text = claims_table.markdown(table, scope=scope)
    assert text.index("# Claims") < text.index(scope) < text.index("| experiment |")
    assert f'<p class="scope"><strong>{scope}</strong></p>' in claims_table.html(table, scope=scope)


def test_smoke_and_rehearsal_rows_are_not_evidence():
    rows = evaluate(fake_claims, runs("trained", GOOD), {}, experiment="x", scale="rehearsal", dataset="d")
    assert rows["note"].str.contains("not evidence").all()
    assert "not evidence" in claims_table.markdown(frame(rows.to_dict("records")))


def test_merged_tables_keep_every_experiments_controls():
    a = evaluate(
        fake_claims,
        pd.concat([runs("trained", GOOD), runs("frozen", FLAT)]),
        {},
        experiment="a",
        scale="quick",
        dataset="d",
    )
    b = evaluate(
        fake_claims,
        pd.concat([runs("trained", GOOD), runs("opposite", FLAT)]),
        {},
        experiment="b",
        scale="quick",
        dataset="d",
    )
    merged = frame(pd.concat([a, b]).to_dict("records"))
    assert {"control_frozen", "control_opposite"} <= set(merged.columns)
    assert merged["control_opposite"].isna().sum() == 3  # a had no such control
    assert "control opposite: not reproduced" in claims_table.markdown(
        merged
    ) and "6 reproduced" in claims_table.markdown(merged)
    assert "<table" in claims_table.html(merged)


def test_strictly_increasing():
    assert strictly_increasing([1, 2, 3])
    for values in ([1, 1, 2], [2, 1, 3], [1, 2, np.nan], [1, np.nan, 2], [np.nan] * 3, [3]):
        assert not strictly_increasing(values)
