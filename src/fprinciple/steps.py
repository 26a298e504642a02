"""The work of the workflow's local rules (aggregate, experiment_claims, figure, claims, cost),
called from their ``run:`` blocks inside Snakemake's own process.

Why not scripts: each is a second or less of pandas or matplotlib, while a script job first
starts a Python and imports torch, pandas and seaborn (≈ 3 s): 70 such jobs were a third of the
quick DAG's wall time. Snakemake runs ``run:`` jobs in threads of its process, so nothing here
redirects the process's streams; a log records what the step wrote. Drawing holds a lock, since
pyplot's figure registry and rcParams are process-global.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd

from . import claims as claim_rule
from . import claims_table, experiments, io, rehearsal
from . import cost as cost_model
from .learners import TRAINED

_PYPLOT = threading.Lock()


def _log(path: str, *written: str) -> None:
    io.write_text("".join(f"wrote {p}\n" for p in written), path)


def aggregate(runs: list[str], table: str, log: str) -> None:
    """One tidy metrics table per experiment: the runs' metrics, concatenated."""
    io.write_parquet(io.concat_parquet(runs), table)
    _log(log, table)


def experiment_claims(table: str, output: str, log: str, experiment: str, cfg: dict, scale: str) -> None:
    """An experiment's claims, on its trained network and on every control (claims.evaluate)."""
    verdicts = claim_rule.evaluate(
        experiments.part(experiment, "claims").claims,
        pd.read_parquet(table),
        cfg,
        experiment=experiment,
        scale=scale,
        dataset=experiments.get(experiment).dataset(cfg),
    )
    io.write_parquet(verdicts, output)
    _log(log, output)


def figure(table: str, claims: str, png: str, pdf: str, log: str, experiment: str, cfg: dict) -> None:
    """An experiment's figure, drawn from the trained network's rows of its table, with its
    claims' verdicts written under it from its claim rows (the table's, never recomputed)."""
    from .figures import style  # here: matplotlib and seaborn would slow every DAG build by ~1 s

    metrics = pd.read_parquet(table)
    with _PYPLOT:
        fig = experiments.part(experiment, "figure").figure(metrics[metrics["learner"] == TRAINED], cfg)
        style.claim_verdicts(fig, pd.read_parquet(claims))
        style.save(fig, png, pdf)
    _log(log, png, pdf)


def claims(tables: list[str], parquet: str, md: str, html: str, log: str, scope: str | None = None) -> None:
    """Every experiment's claims in one table, as parquet, markdown and the report's HTML.
    ``scope`` (a run of some experiments only) says so above the table."""
    table = claim_rule.frame(io.concat_parquet(tables).to_dict("records"))
    io.write_parquet(table, parquet)
    folder = Path(md).parent  # the tables' links to figures and pages are relative to it
    io.write_text(claims_table.markdown(table, folder, scope=scope or ""), md)
    io.write_text(claims_table.html(table, folder, scope=scope or ""), html)
    _log(log, parquet, md, html)


def claims_summary(parquet: str, md: str) -> str:
    """The run's last console line: the claims by outcome (the line on top of claims.md), the
    unexpected and stale ones by name, and where to read them."""
    table = pd.read_parquet(parquet)
    flagged = claims_table.flagged(table)
    alarm = f"; {claims_table.ALARM} {flagged}" if flagged else ""
    return f"Claims: {claims_table.summary(table)}{alarm}. Table: {md} (claims.html beside it)"


def cost(
    metas: list[str],
    parquet: str,
    md: str,
    html: str,
    log: str,
    configured: dict,
    data_root,
    resources: dict,
) -> None:
    """The full run's cost table, estimated from a rehearsal's meta.json files (fprinciple.cost).
    The quick scale's results beside the rehearsal's (``results/quick``), where there, give the
    expected steps of loops that may stop early where no closed form does."""
    quick = Path(parquet).parent.parent / "quick"
    measured: dict[str, dict[str, dict]] = {}
    for path in metas:
        meta = json.loads(Path(path).read_text())
        measured.setdefault(meta["experiment"], {})[meta["run"]] = meta
    rows = []
    for experiment, settings in configured.items():
        full = rehearsal.substitute_datasets(settings, data_root)  # every seed, the data the rehearsal used
        jobs = cost_model.plan(
            experiments.part(experiment, "run"), full, rehearsal.experiment_config(settings, data_root)
        )
        own = {**resources, **settings.get("resources", {})}
        rows.append(
            cost_model.experiment_row(
                experiment,
                jobs,
                measured[experiment],
                own,
                len(settings.get("seeds", [])),
                experiments.get(experiment).dataset(full),
                cost_model.predictions(experiment, full, jobs, measured[experiment], quick),
            )
        )
    table = cost_model.table(rows)
    io.write_parquet(table, parquet)
    io.write_text(cost_model.markdown(table, cost_model.machine()), md)
    io.write_text(cost_model.html(table, cost_model.machine()), html)
    _log(log, parquet, md, html)
