"""Every figure writes its claims' verdicts from the claims table's rows (figures.style), and no
figure module words a verdict of its own, so a figure and the table cannot disagree."""

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import same_color

from fprinciple import experiments, figures
from fprinciple.claims import (
    ACROSS_SEEDS,
    EXACT,
    NOT_REPRODUCED,
    PAPER,
    PER_SEED,
    REPRODUCED,
    SUITE,
    UNTESTED,
    frame,
)
from fprinciple.claims_table import STALE, UNEXPECTED
from fprinciple.figures import style


def row(
    claim: str,
    status: str,
    held=None,
    judged=None,
    *,
    declared: str = "",
    stale: bool = False,
    replication: str = PER_SEED,
    source: str = PAPER,
    seeds: int = 20,
    scale: str = "quick",
) -> dict:
    return {
        "experiment": "toy",
        "claim": claim,
        "status": status,
        "source": source,
        "passed": status == REPRODUCED,
        "statement": f"{claim} holds",
        "measured": "",
        "threshold": "",
        "held": held,
        "judged": judged,
        "lower_bound": float("nan"),
        "replication": replication,
        "declared": declared,
        "stale": stale,
        "scale": scale,
        "seeds": seeds,
        "note": "",
        "dataset": "toy data",
    }


# claim id -> (its row, words its entry must hold, its outcome (colour), its rate)
CASES = {
    "holds": (row("holds", REPRODUCED, 19, 20), ["reproduced"], REPRODUCED, "19/20 seeds"),
    "fails": (row("fails", NOT_REPRODUCED, 8, 20), ["not reproduced", "unexpected"], UNEXPECTED, "8/20 seeds"),
    "fails_declared": (
        row("fails_declared", NOT_REPRODUCED, 3, 5, declared=NOT_REPRODUCED),
        ["not reproduced", "(declared)"],
        NOT_REPRODUCED,
        "3/5 seeds",
    ),
    "too_short": (
        row("too_short", UNTESTED, 0, 2, declared=UNTESTED),
        ["untested", "(declared)"],
        UNTESTED,
        "0/2 seeds",
    ),
    "nothing_to_judge": (
        row("nothing_to_judge", UNTESTED, 0, 0),
        ["untested", "unexpected"],
        UNEXPECTED,
        "nothing judged",
    ),
    "stale": (
        row("stale", REPRODUCED, 5, 5, declared=NOT_REPRODUCED, stale=True),
        ["reproduced", "stale"],
        STALE,
        "5/5 seeds",
    ),
    "every_condition": (row("every_condition", REPRODUCED, 60, 60, seeds=5), ["reproduced"], REPRODUCED, "60/60 nets"),
    "slope": (
        row("slope", REPRODUCED, replication=ACROSS_SEEDS, source=SUITE),
        ["reproduced"],
        REPRODUCED,
        ACROSS_SEEDS,
    ),
    "theory": (
        row("theory", UNTESTED, replication=EXACT, declared=UNTESTED),
        ["untested", "(declared)"],
        UNTESTED,
        EXACT,
    ),
}


def verdict_block(rows: list[dict]):
    fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="step", ylabel="value")
    style.claim_verdicts(fig, frame(rows))
    return fig


def test_every_claim_is_written_with_its_status_rate_and_colour():
    """Each claim row becomes one text on the figure: its id, its status as the table words it
    (declared, stale, unexpected) and its rate, coloured by its outcome as in claims.html."""
    fig = verdict_block([case[0] for case in CASES.values()])
    texts = {text.get_text(): text for text in fig.legends[0].get_texts()}
    assert len(texts) == len(CASES)
    for claim, (claim_row, words, found, rate) in CASES.items():
        (label,) = [t for t in texts if t.startswith(f"{claim}: ")]
        status, shown_rate = label.removeprefix(f"{claim}: ").split(" · ")[:2]
        assert re.sub(r"^\W+", "", status).startswith(claim_row["status"]), label  # after its symbol
        assert all(word in status for word in words) and shown_rate == rate, label
        assert same_color(texts[label].get_color(), style.OUTCOME_COLORS[found][0]), label
    assert [t for t in texts if "suite" in t] == [next(t for t in texts if t.startswith("slope: "))]
    plt.close(fig)


def test_the_block_sits_below_the_axes_without_overlap(tmp_path):
    """The constrained layout makes room: no axis text and no verdict share a pixel."""
    fig = verdict_block([case[0] for case in CASES.values()])
    fig.savefig(tmp_path / "fig.png")
    renderer = fig.canvas.get_renderer()
    block = fig.legends[0].get_window_extent(renderer)
    for ax in fig.axes:
        assert not block.overlaps(ax.get_tightbbox(renderer))
    plt.close(fig)


def test_a_scale_that_is_not_evidence_says_so():
    fig = verdict_block([row("holds", REPRODUCED, 1, 1, seeds=1, scale="smoke")])
    assert "not evidence" in fig.legends[0].get_title().get_text()
    plt.close(fig)


def test_missing_rows_or_layout_are_refused():
    fig, _ = plt.subplots(layout="constrained")
    with pytest.raises(ValueError, match="no claim rows"):
        style.claim_verdicts(fig, frame([]))
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="layout='constrained'"):
        style.claim_verdicts(fig, frame([row("holds", REPRODUCED, 5, 5)]))
    plt.close("all")


# What a figure module must not write or compute: a verdict, a rate over seeds, the claims' rule.
VERDICT_WORDS = [
    r"\breproduc",
    r"\bholds in\b",
    r"\border holds\b",
    r"\bfirst in \{",
    r"\bfails:",
    r"lower bound",
    r"\}/\{[^}]*\} seeds",
    r"\bcomes first\b",
    r"\b(rate_reproduced|rate_fails|lower_bound|upper_bound|rate_text|declarations|not_reproduced)\b",
]


def test_no_figure_module_words_a_verdict_of_its_own():
    """Only the shared style writes verdicts, from the rows; the experiments' figure.py and the
    shared drawing modules draw and label data."""
    shared = [p for p in Path(figures.__file__).parent.glob("*.py") if p.name != "style.py"]
    modules = sorted(shared + [experiments.folder(e) / "figure.py" for e in experiments.ids()])
    assert len(modules) > 20
    found = [
        f"{p.relative_to(p.parents[1])}:{n}: {line.strip()}"
        for p in modules
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if any(re.search(pattern, line) for pattern in VERDICT_WORDS)
    ]
    assert not found, (
        "figure modules word verdicts of their own (the claims' rows are written by "
        "style.claim_verdicts):\n" + "\n".join(found)
    )
