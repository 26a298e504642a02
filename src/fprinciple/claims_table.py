"""How the claims table reads: claims.md, claims.html, the run's last console line and the
verdict block under each figure. Apart from ``claims`` (the rule), which every experiment
imports: a change to how the table looks redraws the table and figures, never retrains."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from pathlib import Path

import jinja2
import pandas as pd

from .claims import EXEMPT, NOT_EVIDENCE, NOT_REPRODUCED, REPRODUCED, RULE, UNTESTED, control_names

# Where a row stands against its config's declarations (``outcome``): the three statuses as
# declared, and the two a reproduction run must not have. A smoke or rehearsal row is not evidence
# and has no declarations to keep: it shows its status alone.
UNEXPECTED, STALE = "unexpected", "stale"
OUTCOMES = (REPRODUCED, NOT_REPRODUCED, UNTESTED, UNEXPECTED, STALE)
SUMMARY_WORDS = {
    REPRODUCED: "reproduced",
    NOT_REPRODUCED: "not reproduced",
    UNTESTED: "untested at this scale",
    UNEXPECTED: "unexpected",
    STALE: "stale",
}
ALARMS = (UNEXPECTED, STALE)  # shown only when there are any, marked to stand out
ALARM = "⚠"
SYMBOLS = {REPRODUCED: "✓", NOT_REPRODUCED: "✗", UNTESTED: "○"}
# Each outcome's colour (edge) and background (fill), in claims.html and under every figure.
OUTCOME_COLORS = {
    REPRODUCED: ("#1a7f37", "#dafbe1"),
    NOT_REPRODUCED: ("#bc4c00", "#fff1e5"),
    UNTESTED: ("#818b98", "#eff2f5"),
    UNEXPECTED: ("#cf222e", "#ffcecb"),
    STALE: ("#8250df", "#ecd9ff"),
}
# One line per cell of the table; the whole text is in the row's details.
STATEMENT_CHARS, VERDICT_CHARS, THRESHOLD_CHARS = 110, 130, 100
DOCS = Path(__file__).resolve().parent / "experiments"  # each experiment's page: its folder's README.md


def outcome(row) -> str:
    """One of ``OUTCOMES`` for a claims-table row (a mapping or a named tuple)."""
    row = row if isinstance(row, Mapping) else row._asdict()
    if row["stale"]:
        return STALE
    if row["status"] == REPRODUCED or row["declared"] or row["scale"] in NOT_EVIDENCE:
        return row["status"]
    return UNEXPECTED


def status_label(row) -> str:
    """The row's status in words, declared or not: how the table and the figures name it."""
    row = row if isinstance(row, Mapping) else row._asdict()
    found = outcome(row)
    if found == STALE:
        return f"{ALARM} reproduced: stale declaration (declared {row['declared']})"
    if found == UNEXPECTED:
        return f"{ALARM} {row['status']}: unexpected"
    if row["declared"]:
        return f"{SYMBOLS[found]} {row['status']} (declared)"
    return f"{SYMBOLS[found]} {row['status']}"


def _counts(table: pd.DataFrame) -> dict[str, int]:
    found = pd.Series([outcome(row) for row in table.to_dict("records")], dtype=object).value_counts()
    return {key: int(found.get(key, 0)) for key in OUTCOMES if key not in ALARMS or found.get(key, 0)}


def _caveat(table: pd.DataFrame) -> str:
    return "; ".join(NOT_EVIDENCE[scale] for scale in sorted(set(table["scale"])) if scale in NOT_EVIDENCE)


def summary(table: pd.DataFrame) -> str:
    """One line: the rows by outcome ("52 reproduced · 4 not reproduced · 9 untested at this
    scale", then "⚠ N unexpected" and "⚠ N stale" when any), the scale, and "not evidence" where
    it applies."""
    parts = [(f"{ALARM} " if key in ALARMS else "") + f"{n} {SUMMARY_WORDS[key]}" for key, n in _counts(table).items()]
    scales = ", ".join(sorted(set(table["scale"])))
    caveat = _caveat(table)
    claims = f"{len(table)} claim" + ("" if len(table) == 1 else "s")
    return " · ".join(parts) + f" ({claims}, {scales} scale)" + (f"; {caveat}" if caveat else "")


def flagged(table: pd.DataFrame, most: int = 5) -> str:
    """The unexpected and stale rows by name (the first ``most`` of each), or nothing."""
    parts = []
    for key in ALARMS:
        names = [f"{row['experiment']}/{row['claim']}" for row in table.to_dict("records") if outcome(row) == key]
        if names:
            more = f" and {len(names) - most} more" if len(names) > most else ""
            parts.append(f"{SUMMARY_WORDS[key]}: {', '.join(names[:most])}{more}")
    return "; ".join(parts)


LEGEND = {
    REPRODUCED: "the rule holds on the trained network and on no negative control",
    NOT_REPRODUCED: "tested and did not hold (declared: the config says in advance that this scale cannot show it, "
    "and why)",
    UNTESTED: "this scale lacks what the claim needs (the note says what is missing)",
    UNEXPECTED: "neither reproduced nor declared: the reproduction stage fails on it",
    STALE: "declared not reproduced or untested, but it holds: the declaration must go",
}
INTRO = (
    f"A claim about training is judged seed by seed, by the rule: {RULE}. A row is reproduced only if no "
    "negative control is. Source: the paper's statement, or the suite's own statistic or extension."
)


def _one_line(text, width: int) -> str:
    return textwrap.shorten(str(text), width, placeholder=" …")


def _more(shown: str, whole: str) -> str:
    """``whole`` where the row's cell did not show all of it, else nothing (for the details)."""
    return "" if whole == shown else whole


def _controls(row: dict, controls: list[str]) -> tuple[list[str], list[dict]]:
    """The controls that sink the row, and every control's result, grouped where the text is the same."""
    sinking, groups = [], {}
    for name in controls:
        reproduced, text = row[f"control_{name}"], row[f"control_{name}_measured"]
        if reproduced is None or pd.isna(reproduced):
            continue
        exempt = text.startswith(EXEMPT)
        sinks = bool(reproduced) and not exempt
        if sinks:
            sinking.append(name)
        result = (
            "reproduced: sinks the row"
            if sinks
            else "reproduced, not held against it (see the note)"
            if reproduced
            else "not reproduced"
        )
        groups.setdefault((result, sinks, text.removeprefix(EXEMPT)), []).append(name)
    return sinking, [
        {"names": ", ".join(names), "result": result, "sinks": sinks, "text": text}
        for (result, sinks, text), names in groups.items()
    ]


def _docs_href(experiment: str, folder: Path) -> str:
    """The experiment's page, relative to ``folder`` (where the table is written); none if absent."""
    page = DOCS / experiment / "README.md"
    return Path(os.path.relpath(page, folder.resolve())).as_posix() if page.is_file() else ""


def _rows(table: pd.DataFrame, folder: Path) -> list[dict]:
    """Every row as the views show it: the short cells, then the whole text for its details."""
    controls = control_names(table)
    rows = []
    for row in table.to_dict("records"):
        sinking, results = _controls(row, controls)
        statement = _one_line(row["statement"], STATEMENT_CHARS)
        verdict = _one_line(row["verdict"], VERDICT_CHARS)
        threshold = _one_line(row["threshold"].split(f"; {RULE}")[0], THRESHOLD_CHARS)
        rows.append(
            {
                "experiment": row["experiment"],
                "claim": row["claim"],
                "outcome": outcome(row),
                "css": outcome(row).replace(" ", "-"),
                "status": status_label(row),
                "source": row["source"],
                "replication": row["replication"],
                "statement": statement,
                "threshold": threshold,
                "verdict": verdict + (f"; also on control {', '.join(sinking)}: not evidence" if sinking else ""),
                "figure": f"figures/{row['experiment']}.png",
                "docs": _docs_href(row["experiment"], folder),
                "setting": f"{row['seeds']} seed{'s' * (row['seeds'] != 1)}, {row['scale']} scale; data: {row['dataset']}",
                "details": {
                    "statement": _more(statement, row["statement"]),
                    "measured": _more(verdict, row["measured"]),
                    "threshold": _more(threshold, row["threshold"].replace(f"; {RULE} over seeds", "")).replace(
                        RULE, "the rule"
                    ),
                    "note": row["note"],
                },
                "controls": results,
            }
        )
    return rows


def _default_folder(table: pd.DataFrame) -> Path:
    """Where the workflow writes the table by default: the checkout's ``results/<scale>/``."""
    return DOCS.parents[2] / "results" / ",".join(sorted(set(table["scale"])))


def _md_cell(text) -> str:
    """Text on one Markdown line that cannot end a table cell (a backslash-escaped pipe shows as a pipe)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(table: pd.DataFrame, folder: str | Path | None = None, scope: str = "") -> str:
    """The claims table as Markdown: the summary by outcome on top, one short line per claim,
    and below it each experiment's details (whole texts, controls, notes), linked from its rows.
    ``folder``: where the file is written (default ``results/<scale>/`` of the checkout); its
    links to the figures and the experiments' pages are relative to it. ``scope``: a line saying
    which experiments the table covers, where not all."""
    rows = _rows(table, Path(folder) if folder is not None else _default_folder(table))
    counts = _counts(table)
    lines = ["# Claims", "", *([f"> **{scope}**", ""] if scope else []), f"**{summary(table)}**", ""]
    if flagged(table):
        lines += [f"**{ALARM} {_md_cell(flagged(table))}**", ""]
    if _caveat(table):
        lines += [f"> **{_caveat(table)}**", ""]
    lines += [INTRO, ""]
    lines += [f"- **{SUMMARY_WORDS[key]}**: {LEGEND[key]}" for key in counts]
    lines += ["", "Each experiment's figure, page, controls and notes: its details below (the link in each row).", ""]
    columns = ["experiment", "claim", "status", "source", "statement", "verdict", "threshold"]
    lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = {
            **row,
            "experiment": f"[{row['experiment']}](#{row['experiment']})",
            "claim": f"`{row['claim']}`",
            "status": f"**{row['status']}**" if row["outcome"] in ALARMS else row["status"],
        }
        lines.append("| " + " | ".join(_md_cell(cells[column]) for column in columns) + " |")
    lines += ["", "## Details"]
    by_experiment: dict[str, list[dict]] = {}
    for row in rows:
        by_experiment.setdefault(row["experiment"], []).append(row)
    for experiment, group in by_experiment.items():
        links = [f"[figure]({group[0]['figure']})"] + ([f"[page]({group[0]['docs']})"] if group[0]["docs"] else [])
        lines += ["", f"### {experiment}", "", " · ".join([*links, group[0]["setting"]]), ""]
        for row in group:
            lines.append(f"- **`{row['claim']}`**: {row['status']}; {row['source']}, {row['replication']}")
            lines += [f"  - {key}: {_md_cell(text)}" for key, text in row["details"].items() if text]
            for control in row["controls"]:
                result = f"**{control['result']}**" if control["sinks"] else control["result"]
                lines.append(f"  - control {control['names']}: {result}: {_md_cell(control['text'])}")
    return "\n".join(lines) + "\n"


# The claims page, a Jinja2 template rendered with autoescape: inline CSS, nothing fetched.
PAGE = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Claims ({{ scales }} scale)</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; max-width: 1500px;
       margin: 1.5em auto; padding: 0 1em; }
h1 { margin-bottom: .3em; }
.summary { font-size: 1.15em; margin: .4em 0; }
.badge { display: inline-block; padding: .15em .6em; margin: .1em .3em .1em 0; border-radius: 1em; }
.not-evidence, .flagged, .scope { padding: .5em .8em; border-radius: 4px; }
.scope { background: #ddf4ff; border: 1px solid #54aeff; }
.not-evidence { background: #fff8c5; border: 1px solid #d4a72c; }
.flagged { background: #ffebe9; border: 1px solid #cf222e; font-weight: bold; }
.legend { color: #59636e; margin: .2em 0 1em; padding-left: 1.2em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 5px 7px; overflow-wrap: break-word; }
thead th { position: sticky; top: 0; background: #f6f8fa; border-bottom: 2px solid #d1d9e0; }
tbody.claim { border-top: 1px solid #d1d9e0; border-left: 5px solid var(--edge); }
tbody.claim td.status { background: var(--fill); font-weight: 600; }
tr.more td { padding-top: 0; font-size: .92em; }
details summary { cursor: pointer; color: #59636e; }
details dl { display: grid; grid-template-columns: minmax(9em, max-content) 1fr; gap: .2em 1em; margin: .4em 0 .6em; }
details dt { font-weight: 600; color: #59636e; }
details dd { margin: 0; }
.sinks { color: #cf222e; font-weight: 600; }
.links { font-size: .9em; }
code { font-size: .92em; }
{% for key, (edge, fill) in colors.items() %}.{{ key | replace(' ', '-') }} { --edge: {{ edge }}; --fill: {{ fill }}; }
{% endfor %}
.badge { background: var(--fill); border: 1px solid var(--edge); }
.badge.unexpected, .badge.stale { font-weight: bold; }
</style></head>
<body>
<h1>Claims <small>({{ scales }} scale)</small></h1>
{% if scope %}<p class="scope"><strong>{{ scope }}</strong></p>{% endif %}
{% if caveat %}<p class="not-evidence"><strong>{{ caveat }}</strong></p>{% endif %}
<p class="summary">{% for key, n in counts.items() %}<span class="badge {{ key | replace(' ', '-') }}">
{% if key in alarms %}{{ alarm }} {% endif %}{{ n }} {{ words[key] }}</span>{% endfor %} of {{ rows | length }} claim{{ 's' if rows | length != 1 }}</p>
{% if flagged %}<p class="flagged">{{ alarm }} {{ flagged }}</p>{% endif %}
<p>{{ intro }}</p>
<ul class="legend">{% for key in counts %}<li><strong>{{ words[key] }}</strong>: {{ legend[key] }}</li>{% endfor %}</ul>
<table>
<colgroup><col style="width:11%"><col style="width:14%"><col style="width:11%"><col style="width:6%">
<col style="width:22%"><col style="width:21%"><col style="width:15%"></colgroup>
<thead><tr><th>experiment</th><th>claim</th><th>status</th><th>source</th><th>statement</th><th>verdict</th>
<th>threshold</th></tr></thead>
{% for row in rows %}
<tbody class="claim {{ row.css }}" id="{{ row.experiment }}-{{ row.claim }}">
<tr><td>{{ row.experiment | replace("_", "_<wbr>" | safe) }}<div class="links"><a href="{{ row.figure }}">figure</a>
{% if row.docs %} · <a href="{{ row.docs }}">page</a>{% endif %}</div></td>
<td><code>{{ row.claim | replace("_", "_<wbr>" | safe) }}</code></td>
<td class="status">{{ row.status }}</td><td>{{ row.source }}</td>
<td>{{ row.statement }}</td><td>{{ row.verdict }}</td><td>{{ row.threshold }}</td></tr>
<tr class="more"><td colspan="7"><details><summary>measured in full, controls, notes</summary><dl>
<dt>setting</dt><dd>{{ row.setting }}</dd>
{% for key, text in row.details.items() if text %}<dt>{{ key }}</dt><dd>{{ text }}</dd>
{% endfor %}
{% for control in row.controls %}<dt>control {{ control.names }}</dt>
<dd><span{% if control.sinks %} class="sinks"{% endif %}>{{ control.result }}</span>: {{ control.text }}</dd>
{% endfor %}
</dl></details></td></tr>
</tbody>
{% endfor %}
</table>
</body></html>
"""


def html(table: pd.DataFrame, folder: str | Path | None = None, scope: str = "") -> str:
    """The claims table as a self-contained HTML page (the report's): as ``markdown``, coloured by
    outcome, each row linked to its figure and its experiment's page, its details folded."""

    page = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(PAGE)
    rows = _rows(table, Path(folder) if folder is not None else _default_folder(table))
    return page.render(
        rows=rows,
        counts=_counts(table),
        words=SUMMARY_WORDS,
        legend=LEGEND,
        alarms=ALARMS,
        alarm=ALARM,
        colors=OUTCOME_COLORS,
        flagged=flagged(table),
        caveat=_caveat(table),
        intro=INTRO,
        scope=scope,
        scales=", ".join(sorted(set(table["scale"]))),
    )
