"""The claims table: one row per claim, each computed from a run's metrics (DESIGN.md contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

CLAIM_COLUMNS = ["experiment", "claim", "statement", "measured", "threshold", "passed", "scale", "seeds", "note", "dataset"]


@dataclass(frozen=True)
class Claim:
    experiment: str
    claim: str  # short id, unique within the experiment
    statement: str  # what the paper says, in words
    measured: str  # the computed quantity, formatted
    threshold: str  # the test applied to it, in words and numbers
    passed: bool
    scale: str  # "quick" or "paper": the config's scale
    seeds: int  # how many seeds the measurement pools
    note: str = ""  # e.g. why a claim only holds at paper scale
    dataset: str = ""  # the data measured (filled from the experiment's DATASET by the claims rule)


def frame(claims: list[Claim]) -> pd.DataFrame:
    return pd.DataFrame([asdict(c) for c in claims], columns=CLAIM_COLUMNS).astype({"passed": bool, "seeds": int})


def strictly_increasing(values) -> bool:
    """True when every value is finite and each exceeds the one before (e.g. convergence steps by k)."""
    values = np.asarray(values, dtype=float)
    return bool(np.all(np.isfinite(values)) and np.all(np.diff(values) > 0))


def markdown(table: pd.DataFrame) -> str:
    """The claims table as Markdown, with a one-line verdict on top."""
    passed = int(table["passed"].sum())
    lines = [
        "# Claims",
        "",
        f"{passed} of {len(table)} claims pass.",
        "",
        "| " + " | ".join(CLAIM_COLUMNS) + " |",
        "|" + "---|" * len(CLAIM_COLUMNS),
    ]
    for row in table.itertuples(index=False):
        cells = [str(getattr(row, c)).replace("|", "\\|") for c in CLAIM_COLUMNS]
        cells[CLAIM_COLUMNS.index("passed")] = "yes" if row.passed else "**NO**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def html(table: pd.DataFrame) -> str:
    """A self-contained HTML page of the claims table for the Snakemake report."""
    passed = int(table["passed"].sum())
    shown = table.assign(passed=table["passed"].map({True: "yes", False: "NO"}))
    body = shown.to_html(index=False, escape=True, border=0, classes="claims")
    style = (
        "body{font-family:sans-serif;font-size:13px} table.claims{border-collapse:collapse}"
        " .claims td,.claims th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}"
        " .claims th{background:#f0f0f0}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Claims</title><style>{style}</style></head>"
        f"<body><h1>Claims</h1><p>{passed} of {len(table)} claims pass.</p>{body}</body></html>\n"
    )
