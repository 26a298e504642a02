"""The claims table: one row per claim, each computed from a run's metrics, judged over the
seeds by one rule, and held against the run's negative controls.

A claim about training is a statement about initialisations. An experiment's ``claims(metrics,
cfg)`` returns ``Claim``s computed from the metrics of one learner; ``evaluate`` calls it once on
all of a learner's metrics (the row's measured text) and once per seed (one per condition and
seed for a claim with ``conditions``): each call's ``passed`` is that seed's verdict. The row
reports how often the statement holds, and **the rule** decides it, the same for every such
claim: it is *reproduced* when the one-sided ``CONFIDENCE`` Clopper–Pearson lower bound of the
holding rate is above ``MIN_RATE``, i.e. the statement holds significantly more often than not
(5 of 5 seeds, 9 of 10, 15 of 20). A claim that already is a statistic over the seeds, with its
own uncertainty (a bootstrap interval, pooled counts), says so (``replication=ACROSS_SEEDS``)
and keeps its verdict; so does exact theory (``EXACT``).

Every control (``learners``) is judged the same way, and a row is reproduced only if no control
is: a claim that a frozen net or a mean predictor also "reproduces" is not evidence.

Three statuses: ``reproduced``; ``not reproduced`` (tested, did not hold: the row says what was
measured); ``untested`` (this scale lacks what the claim needs: the config declares it under
``claims.untested`` with what is missing, or the metrics hold nothing to judge it on). A config
also declares in advance the claims its scale does not reproduce (``claims.not_reproduced``), so
the reproduction stage can require every other row. A declared row that holds anyway is
reported as reproduced and marked ``stale``: the declaration is no longer true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from .learners import FROZEN, MEAN, TRAINED

CONFIDENCE = 0.95  # one-sided confidence of the lower bound on a holding rate
MIN_RATE = 0.5  # reproduced: the holding rate is significantly above this ("more often than not")
RULE = (
    f"reproduced when the one-sided {CONFIDENCE:.0%} Clopper–Pearson lower bound of the holding rate "
    f"is above {MIN_RATE:g}"
)

REPRODUCED, NOT_REPRODUCED, UNTESTED = "reproduced", "not reproduced", "untested"
STATUSES = (REPRODUCED, NOT_REPRODUCED, UNTESTED)
DECLARATIONS = {"not_reproduced": NOT_REPRODUCED, "untested": UNTESTED}  # config key -> status declared

# How a claim is replicated (``Claim.replication``):
PER_SEED = "per seed"  # a statement about one initialisation, judged seed by seed by the rule
ACROSS_SEEDS = "across seeds"  # one statistic over every seed, with its own uncertainty
EXACT = "exact"  # exact theory: no initialisation to replicate

# Whose statement a claim tests (``Claim.source``): the paper's, measured as its authors measured
# it, or the suite's own statistic or extension, which a row must never pass off as the paper's.
PAPER, SUITE = "paper", "suite"

CLAIM_COLUMNS = [
    "experiment",
    "claim",
    "status",
    "source",
    "passed",
    "statement",
    "measured",
    "threshold",
    "held",
    "judged",
    "lower_bound",
    "replication",
    "declared",
    "stale",
    "scale",
    "seeds",
    "note",
    "dataset",
    "verdict",
]
EXEMPT = "not held against (note); "  # starts the measured text of a control the claim is not held against
# Scales whose claim rows are not evidence: the smoke test and the truncated paper-scale rehearsal.
NOT_EVIDENCE = {
    "smoke": "smoke test (tiny settings): not evidence",
    "rehearsal": "rehearsal (paper settings, truncated): not evidence",
}


@dataclass(frozen=True)
class Claim:
    claim: str  # short id, unique within the experiment
    statement: str  # what the paper says, in words
    measured: str  # the computed quantity, formatted
    threshold: str  # the test applied to it (to one seed's runs, for a per-seed claim)
    passed: bool | None  # on these metrics; None: they hold nothing to judge the claim on
    note: str = ""  # e.g. why a claim only holds at paper scale
    replication: str = PER_SEED
    source: str = PAPER  # SUITE: the suite's own statistic or extension, not the paper's statement
    # Metric columns whose values are separate conditions (e.g. activation and depth): each
    # (condition, seed) is judged alone, and the claim holds when every condition is reproduced
    # by the rule; or, with ``pooled``, when the rate over all (condition, seed) nets is and no
    # condition fails significantly (its rate's upper bound below ``MIN_RATE``: ``rate_fails``).
    conditions: tuple[str, ...] = ()
    pooled: bool = False
    # Controls the claim is not held against, each with the reason (e.g. a control built as the
    # no-preference reference of another claim, of which this statement is also true by
    # construction); the reason is in the row's note, and the control's verdict stays reported.
    # The frozen net and the mean predictor can never be exempted.
    exempt: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Verdict:
    """A claim judged on one learner: how often it held, and whether that reproduces it."""

    reproduced: bool
    tested: bool  # anything to judge: at least one seed, or a verdict for an across-seed claim
    held: int | None = None  # per-seed claims: seeds (or nets, pooled over conditions) where it held
    judged: int | None = None
    lower_bound: float = float("nan")
    text: str = ""  # the rate in words, in one line (the row's verdict)
    detail: str = ""  # every condition's rate, where there are several
    by_condition: dict = field(default_factory=dict)


def lower_bound(held: int, judged: int) -> float:
    """The one-sided ``CONFIDENCE`` Clopper–Pearson lower bound of a rate of held/judged."""
    if judged <= 0:
        return float("nan")
    return float(binomtest(held, judged, alternative="greater").proportion_ci(CONFIDENCE, method="exact").low)


def rate_reproduced(held: int, judged: int) -> bool:
    """The rule: the holding rate is significantly above ``MIN_RATE``."""
    return judged > 0 and lower_bound(held, judged) > MIN_RATE


def upper_bound(held: int, judged: int) -> float:
    """The one-sided ``CONFIDENCE`` Clopper–Pearson upper bound of a rate of held/judged."""
    if judged <= 0:
        return float("nan")
    return float(binomtest(held, judged, alternative="less").proportion_ci(CONFIDENCE, method="exact").high)


def rate_fails(held: int, judged: int) -> bool:
    """The rule's mirror: the holding rate is significantly below ``MIN_RATE`` (the statement
    fails more often than not), e.g. 0 of 5 seeds."""
    return judged > 0 and upper_bound(held, judged) < MIN_RATE


def rate_text(held: int, judged: int, unit: str = "seeds") -> str:
    return f"{held}/{judged} {unit} (lower bound {lower_bound(held, judged):.2f})" if judged else f"no {unit}"


def declarations(cfg: dict) -> dict[str, tuple[str, str]]:
    """The claims an experiment config declares it cannot show at its scale: claim id ->
    (status declared, reason), from ``claims.not_reproduced`` and ``claims.untested``."""
    block = cfg.get("claims", {})
    found: dict[str, tuple[str, str]] = {}
    for key, status in DECLARATIONS.items():
        for claim, reason in (block.get(key) or {}).items():
            if claim in found:
                raise ValueError(
                    f"claims.{key}.{claim}: the claim is declared twice (not_reproduced and untested); keep one"
                )
            found[claim] = (status, reason)
    return found


def not_reproduced(cfg: dict) -> dict[str, str]:
    """Every declared claim of an experiment config (not reproduced or untested): claim id -> reason."""
    return {claim: reason for claim, (_, reason) in declarations(cfg).items()}


def _outcomes(claims: Callable, rows: pd.DataFrame, cfg: dict, wanted: dict[str, Claim]) -> dict[str, dict]:
    """Per per-seed claim: {(condition values, seed): passed} from the claims computed on each
    seed's (and condition's) rows alone; None verdicts (nothing to judge there) are left out."""
    found: dict[str, dict] = {name: {} for name in wanted}
    for columns in {claim.conditions for claim in wanted.values()}:
        names = [name for name, claim in wanted.items() if claim.conditions == columns]
        missing = [c for c in columns if c not in rows.columns]
        if missing:
            raise ValueError(f"claims {names}: condition columns {missing} are not in the metrics")
        for keys, subset in rows.groupby([*columns, "seed"], sort=True):
            *condition, seed = keys
            for claim in claims(subset, cfg):
                if claim.claim in names and claim.passed is not None:
                    found[claim.claim][(tuple(condition), seed)] = bool(claim.passed)
    return found


def _condition_name(condition: tuple) -> str:
    return "/".join(str(v) for v in condition)


def judge(claim: Claim, outcomes: dict | None) -> Verdict:
    """The rule applied to one learner's verdicts of one claim (``outcomes`` as ``_outcomes``)."""
    if claim.replication != PER_SEED:
        tested = claim.passed is not None
        return Verdict(reproduced=bool(claim.passed), tested=tested, text=claim.replication)
    if not outcomes:
        return Verdict(reproduced=False, tested=False, held=0, judged=0, text="no seed to judge")
    per_condition: dict[tuple, list[bool]] = {}
    for (condition, _seed), holds in sorted(outcomes.items(), key=lambda item: str(item[0])):
        per_condition.setdefault(condition, []).append(holds)
    rates = {c: (sum(v), len(v)) for c, v in per_condition.items()}
    held, judged = sum(h for h, _ in rates.values()), sum(n for _, n in rates.values())
    if not claim.conditions:
        return Verdict(
            rate_reproduced(held, judged),
            True,
            held,
            judged,
            lower_bound(held, judged),
            f"holds in {rate_text(held, judged)}",
        )
    listed = "per condition: " + ", ".join(f"{_condition_name(c)} {h}/{n}" for c, (h, n) in rates.items())
    axes = " × ".join(claim.conditions)
    if claim.pooled:
        failing = [c for c, (h, n) in rates.items() if rate_fails(h, n)]
        text = f"holds in {rate_text(held, judged, 'nets')} pooled over {len(rates)} {axes} conditions"
        if failing:
            text += f"; fails in most seeds of {', '.join(map(_condition_name, failing))}"
        return Verdict(
            rate_reproduced(held, judged) and not failing,
            True,
            held,
            judged,
            lower_bound(held, judged),
            text,
            listed,
            rates,
        )
    every = all(rate_reproduced(h, n) for h, n in rates.values())
    weakest = min(rates, key=lambda c: lower_bound(*rates[c]))
    return Verdict(
        every,
        True,
        held,
        judged,
        lower_bound(*rates[weakest]),
        f"holds in {held}/{judged} nets; every {axes} condition by the rule: "
        f"{'yes' if every else 'no'}, weakest {_condition_name(weakest)} {rate_text(*rates[weakest])}",
        listed,
        rates,
    )


def _threshold(claim: Claim) -> str:
    if claim.replication != PER_SEED:
        return claim.threshold
    if not claim.conditions:
        return f"per seed: {claim.threshold}; {RULE} over seeds"
    over = (
        "over every (condition, seed) net, pooled, and no condition failing significantly (its rate's "
        f"one-sided {CONFIDENCE:.0%} upper bound below {MIN_RATE:g})"
        if claim.pooled
        else f"over seeds, in every {' × '.join(claim.conditions)} condition"
    )
    return f"per {' × '.join(claim.conditions)} condition and seed: {claim.threshold}; {RULE} {over}"


def evaluate(
    claims: Callable[[pd.DataFrame, dict], list[Claim]],
    metrics: pd.DataFrame,
    cfg: dict,
    *,
    experiment: str,
    scale: str,
    dataset: str,
) -> pd.DataFrame:
    """The claims of one experiment, judged by the rule on the trained network and on every
    control, one row each."""
    by_learner = {name: rows for name, rows in metrics.groupby("learner", sort=True)}
    if TRAINED not in by_learner:
        raise ValueError(f"{experiment}: the metrics hold no rows of the trained network (learner {TRAINED!r})")
    whole = {name: {c.claim: c for c in claims(rows, cfg)} for name, rows in by_learner.items()}
    verdicts = {}
    for name, rows in by_learner.items():
        per_seed = {c.claim: c for c in whole[name].values() if c.replication == PER_SEED}
        outcomes = _outcomes(claims, rows, cfg, per_seed) if per_seed else {}
        verdicts[name] = {c.claim: judge(c, outcomes.get(c.claim)) for c in whole[name].values()}
    controls = sorted(set(verdicts) - {TRAINED})
    seeds = int(by_learner[TRAINED]["seed"].nunique())
    declared = declarations(cfg)
    unknown = sorted(set(declared) - set(whole[TRAINED]))
    if unknown:
        raise ValueError(
            f"{experiment}: claims.not_reproduced / claims.untested name no claim of the experiment: "
            f"{unknown}; its claims are {sorted(whole[TRAINED])}"
        )
    rows = []
    for claim in whole[TRAINED].values():
        verdict = verdicts[TRAINED][claim.claim]
        on_controls = {name: verdicts[name].get(claim.claim) for name in controls}
        exempt = _exemptions(experiment, claim)
        leaks = [name for name, v in on_controls.items() if v is not None and v.reproduced and name not in exempt]
        holds = verdict.reproduced and not leaks
        status_declared, reason = declared.get(claim.claim, ("", ""))
        if holds:
            status = REPRODUCED
        elif status_declared == UNTESTED or not verdict.tested:
            status = UNTESTED
        else:
            status = NOT_REPRODUCED
        caveat = ""
        if status_declared and holds:
            caveat = f"STALE declaration: the config declares it {status_declared} here ({reason}), but it holds"
        elif status_declared:
            caveat = f"declared {status_declared} at this scale: {reason}"
        elif not verdict.tested:
            caveat = "untested: these metrics hold nothing to judge it on"
        if leaks:
            caveat = "; ".join(
                filter(None, [f"also reproduced by the control(s) {', '.join(leaks)}: not evidence", caveat])
            )
        caveat = "; ".join(
            filter(None, [caveat, *(f"not held against control {name}: {why}" for name, why in exempt.items())])
        )
        row = asdict(claim) | {
            "experiment": experiment,
            "status": status,
            "passed": status == REPRODUCED,
            "measured": _measured_text(verdict, claim),
            "verdict": verdict.text if claim.replication == PER_SEED else claim.measured,
            "threshold": _threshold(claim),
            "held": verdict.held,
            "judged": verdict.judged,
            "lower_bound": verdict.lower_bound,
            "declared": status_declared,
            "stale": bool(status_declared and holds),
            "scale": scale,
            "seeds": seeds,
            "dataset": dataset,
            "note": "; ".join(filter(None, [claim.note, caveat, NOT_EVIDENCE.get(scale, "")])),
        }
        for key in ("conditions", "pooled", "exempt"):
            row.pop(key)
        for name, control in on_controls.items():
            row[f"control_{name}"] = None if control is None else control.reproduced
            row[f"control_{name}_measured"] = (
                None
                if control is None
                else (EXEMPT * (name in exempt) + _measured_text(control, whole[name][claim.claim]))
            )
        rows.append(row)
    return frame(rows)


def _exemptions(experiment: str, claim: Claim) -> dict[str, str]:
    """The controls ``claim`` is not held against (name -> reason); never frozen or mean."""
    exempt = dict(claim.exempt)
    never = sorted(set(exempt) & {FROZEN, MEAN})
    if never:
        raise ValueError(
            f"{experiment}/{claim.claim}: the controls {never} cannot be exempted: every claim must "
            "fail on the frozen net and the mean predictor"
        )
    return exempt


def _measured_text(verdict: Verdict, claim: Claim) -> str:
    """Everything measured on one learner: the rate over seeds (and per condition), then the claim's text."""
    if claim.replication != PER_SEED:
        return claim.measured
    return "; ".join(filter(None, [verdict.text, verdict.detail, claim.measured]))


def frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as the claims table: the contract's columns first, then the controls' columns."""
    extra = sorted({key for row in rows for key in row} - set(CLAIM_COLUMNS))
    table = pd.DataFrame(rows, columns=[*CLAIM_COLUMNS, *extra])
    return table.astype(
        {"passed": bool, "stale": bool, "seeds": int, "held": "Int64", "judged": "Int64", "lower_bound": float}
        | {c: "boolean" for c in control_names(table, prefix=True)}
    )


def control_names(table: pd.DataFrame, prefix: bool = False) -> list[str]:
    """The controls a claims table reports on (their boolean columns ``control_<name>``)."""
    names = [c for c in table.columns if c.startswith("control_") and not c.endswith("_measured")]
    return names if prefix else [c.removeprefix("control_") for c in names]


def strictly_increasing(values) -> bool:
    """True when there are at least two values, every one finite, each above the one before
    (e.g. convergence steps by k): a single value orders nothing, and a peak that never
    converged within the run (NaN) breaks the order."""
    values = np.asarray(values, dtype=float)
    return bool(values.size >= 2 and np.all(np.isfinite(values)) and np.all(np.diff(values) > 0))


def unexpected(table: pd.DataFrame, experiments: dict[str, dict]) -> list[str]:
    """What the reproduction stage refuses in a claims table run from ``experiments`` (their
    config blocks): a row neither reproduced nor declared, a stale declaration (it holds now), a
    declaration with no row, an experiment with no rows."""
    problems = []
    rows = {(r.experiment, r.claim): r for r in table.itertuples()}
    for experiment, cfg in experiments.items():
        declared = declarations(cfg)
        if not any(e == experiment for e, _ in rows):
            problems.append(f"{experiment}: no claim rows")
        for claim in sorted(set(declared) - {c for e, c in rows if e == experiment}):
            problems.append(f"{experiment}/{claim}: declared {declared[claim][0]}, but there is no such row")
    for (experiment, claim), row in rows.items():
        declared = declarations(experiments.get(experiment, {}))
        if row.stale:
            problems.append(
                f"{experiment}/{claim}: stale declaration (declared {row.declared}, but it holds): "
                "remove it from the config"
            )
        elif row.status != REPRODUCED and claim not in declared:
            problems.append(f"{experiment}/{claim}: {row.status} and not declared: {row.measured[:300]}")
    return problems
