"""The claims table: one row per claim, each computed from a run's metrics and held against the
run's negative controls (DESIGN.md contract).

An experiment's ``claims(metrics, cfg)`` returns ``Claim``s computed from the metrics of one
learner. ``evaluate`` calls it on the trained network's metrics and on each control's (the
``learner`` column, see ``training.controls``), with the same code; a claim passes only if it
holds for the trained network and fails on every control. The rule fills in the experiment, the
scale, the seeds and the dataset, so experiment modules state only the science.

A scale may not reproduce a claim (a net too small to test it, an optimizer whose noise defeats
the convergence rule): the experiment's ``claims.not_reproduced`` maps the claim id to the reason.
Such a row is still computed and shown, never passes, and its note gives the reason and what the
test itself gave; the quick-scale stage of the tests requires every other row to pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .learners import TRAINED

CLAIM_COLUMNS = ["experiment", "claim", "statement", "measured", "threshold", "passed", "scale", "seeds", "note", "dataset"]
# Scales whose claim rows are not evidence: the smoke test and the truncated paper-scale rehearsal.
NOT_EVIDENCE = {"smoke": "smoke test (tiny settings): not evidence", "rehearsal": "rehearsal (paper settings, truncated): not evidence"}


@dataclass(frozen=True)
class Claim:
    claim: str  # short id, unique within the experiment
    statement: str  # what the paper says, in words
    measured: str  # the computed quantity, formatted
    threshold: str  # the test applied to it, in words and numbers
    passed: bool  # on the learner whose metrics it was computed from
    note: str = ""  # e.g. why a claim only holds at paper scale


def not_reproduced(cfg: dict) -> dict[str, str]:
    """The claims an experiment config declares not reproduced at its scale: claim id -> reason."""
    return cfg.get("claims", {}).get("not_reproduced", {})


def evaluate(claims: Callable[[pd.DataFrame, dict], list[Claim]], metrics: pd.DataFrame, cfg: dict, *,
             experiment: str, scale: str, dataset: str) -> pd.DataFrame:
    """The claims of one experiment on the trained network and on every control, one row each."""
    by_learner = {name: rows for name, rows in metrics.groupby("learner", sort=True)}
    if TRAINED not in by_learner:
        raise ValueError(f"{experiment}: the metrics hold no rows of the trained network (learner {TRAINED!r})")
    verdicts = {name: {c.claim: c for c in claims(rows, cfg)} for name, rows in by_learner.items()}
    controls = sorted(set(verdicts) - {TRAINED})
    seeds = int(by_learner[TRAINED]["seed"].nunique())
    declared = not_reproduced(cfg)
    unknown = sorted(set(declared) - set(verdicts[TRAINED]))
    if unknown:
        raise ValueError(f"{experiment}: claims.not_reproduced names no claim of the experiment: {unknown}; "
                         f"its claims are {sorted(verdicts[TRAINED])}")
    rows = []
    for claim in verdicts[TRAINED].values():
        on_controls = {name: verdicts[name].get(claim.claim) for name in controls}
        holds = bool(claim.passed) and not any(c is not None and c.passed for c in on_controls.values())
        caveat = ""
        if claim.claim in declared:
            caveat = (f"not reproduced at this scale: {declared[claim.claim]} "
                      f"(the test itself {'holds' if holds else 'fails'} here)")
        row = asdict(claim) | {
            "experiment": experiment,
            "passed": holds and not caveat,
            "scale": scale,
            "seeds": seeds,
            "dataset": dataset,
            "note": "; ".join(filter(None, [claim.note, caveat, NOT_EVIDENCE.get(scale, "")])),
        }
        for name, control in on_controls.items():
            row[f"control_{name}"] = None if control is None else bool(control.passed)
            row[f"control_{name}_measured"] = None if control is None else control.measured
        rows.append(row)
    return frame(rows)


def frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as the claims table: the contract's columns first, then the controls' columns."""
    extra = sorted({key for row in rows for key in row} - set(CLAIM_COLUMNS))
    table = pd.DataFrame(rows, columns=[*CLAIM_COLUMNS, *extra])
    return table.astype({"passed": bool, "seeds": int} | {c: "boolean" for c in control_names(table, prefix=True)})


def control_names(table: pd.DataFrame, prefix: bool = False) -> list[str]:
    """The controls a claims table reports on (their boolean columns ``control_<name>``)."""
    names = [c for c in table.columns if c.startswith("control_") and not c.endswith("_measured")]
    return names if prefix else [c.removeprefix("control_") for c in names]


def strictly_increasing(values) -> bool:
    """True when there are at least two values, every one finite, each above the one before
    (e.g. convergence steps by k): a single value orders nothing."""
    values = np.asarray(values, dtype=float)
    return bool(values.size >= 2 and np.all(np.isfinite(values)) and np.all(np.diff(values) > 0))


def converge_in_order(steps) -> bool:
    """True when the convergence steps ``steps``, listed in the claimed order (NaN: never
    converged in the run), have at least two finite values, strictly increasing, and every NaN
    after them: what has not converged by the end converges after everything that has."""
    values = np.asarray(steps, dtype=float)
    converged = int(np.isfinite(values).sum())
    return bool(converged >= 2 and np.isfinite(values[:converged]).all() and np.all(np.diff(values[:converged]) > 0))


def _verdict(table: pd.DataFrame) -> str:
    scale = ", ".join(sorted(set(table["scale"])))
    passed = int(table["passed"].sum())
    caveat = next((text for key, text in NOT_EVIDENCE.items() if key in set(table["scale"])), "")
    return f"{passed} of {len(table)} claims pass (scale: {scale}{'; ' + caveat if caveat else ''})."


def _control_cell(passed) -> str:
    """How a control fared: a claim must fail on it."""
    if passed is None or pd.isna(passed):
        return "—"
    return "**passes**" if passed else "fails"


def markdown(table: pd.DataFrame) -> str:
    """The claims table as Markdown, with a one-line verdict on top; a control column says
    whether the claim (wrongly) passes on that control."""
    controls = control_names(table)
    columns = ["experiment", "claim", "passed", *controls, "statement", "measured", "threshold", "seeds", "dataset", "note"]
    lines = [
        "# Claims",
        "",
        _verdict(table),
        f"A claim passes only if it holds for the trained network and fails on every negative control ({', '.join(controls)}).",
        "",
        "| " + " | ".join(f"control: {c}" if c in controls else c for c in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in table.to_dict("records"):
        cells = []
        for column in columns:
            if column == "passed":
                cells.append("yes" if row["passed"] else "**NO**")
            elif column in controls:
                cell = _control_cell(row[f"control_{column}"])
                measured = row.get(f"control_{column}_measured")
                cells.append(cell if cell == "—" else f"{cell}: {measured}")
            else:
                cells.append(str(row[column]))
        lines.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def html(table: pd.DataFrame) -> str:
    """A self-contained HTML page of the claims table for the Snakemake report."""
    controls = control_names(table)
    shown = table.assign(passed=table["passed"].map({True: "yes", False: "NO"}))
    for name in controls:
        shown[f"control_{name}"] = [
            _control_cell(p).replace("*", "") for p in table[f"control_{name}"]
        ]
    body = shown.to_html(index=False, escape=True, border=0, classes="claims", na_rep="—")
    style = (
        "body{font-family:sans-serif;font-size:13px} table.claims{border-collapse:collapse}"
        " .claims td,.claims th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}"
        " .claims th{background:#f0f0f0}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Claims</title><style>{style}</style></head>"
        f"<body><h1>Claims</h1><p>{_verdict(table)} A claim passes only if it holds for the trained network and "
        f"fails on every negative control ({', '.join(controls)}).</p>{body}</body></html>\n"
    )
