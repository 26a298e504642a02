# Helpers shared by the rules: config validation, run lists, results folder, resources,
# captions and the library code each job runs.
import json
import os
import re
import sys
from pathlib import Path

# The DAG and its jobs (also inside --software-deployment-method conda) import the library
# from this checkout.
SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, SRC)
os.environ.update(
    PYTHONPATH=os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))
)

from fprinciple import experiments as registry
from fprinciple import rehearsal, sources, steps, workflow_lock
from fprinciple.config import ConfigError, load_and_validate
from fprinciple.datasets import NAMES as DATASET_NAMES

try:
    # Checks Snakemake's merged `config` in place; the files locate each key for the message.
    load_and_validate(workflow.configfiles, config)
except ConfigError as err:
    # The message names the key and the fix; exiting prints it alone, where a raised
    # exception would get Snakemake's traceback lines.
    sys.exit(f"ConfigError: {err}")

EXPERIMENTS = list(config["experiments"])
# `only` (python3 run.py figures ID...): the experiments whose figures and claims this run makes.
# It picks targets only: every job's settings stay those of `experiments`.
TARGETS = config.get("only", EXPERIMENTS)
# `--config rehearsal=N` runs the configured settings for the first N steps of every training
# loop and the first seed only, on the real data where present and on same-shape stand-ins
# where not (fprinciple.rehearsal), into their own folder: it proves a config runs end to end.
REHEARSAL = config.get("rehearsal")
REHEARSED = {
    experiment: rehearsal.experiment_config(cfg, config["data_root"])
    for experiment, cfg in config["experiments"].items()
    if REHEARSAL
}
SCALE = "rehearsal" if REHEARSAL else config["scale"]
# Each scale writes its own folder, so switching scale never overwrites the other's results.
RESULTS = config.get("results", f"results/{SCALE}")
LOGS = f"{RESULTS}/logs"


def run_py(command, experiments=()):
    """The run.py command line for this run's config and these experiments (its
    --configfile; in a rehearsal, its steps): for the summary and the claims table."""
    words = ["python3 run.py", command, *experiments]
    # run.py runs in the checkout: paths relative to it
    for path in map(Path, workflow.overwrite_configfiles):
        inside = path.resolve().is_relative_to(workflow.basedir)
        words.append(
            f"--configfile {os.path.relpath(path, workflow.basedir) if inside else path}"
        )
    if REHEARSAL and command != "rehearsal":
        words.append(f"--config rehearsal={REHEARSAL}")
    return " ".join(words)


# What the claims table covers when `only` narrows the targets (None: every experiment).
SCOPE = (
    None
    if TARGETS == EXPERIMENTS
    else f"Covers {', '.join(TARGETS)} only; `{run_py('rehearsal' if REHEARSAL else 'figures')}` "
    f"for all {len(EXPERIMENTS)}."
)


wildcard_constraints:
    experiment="|".join(EXPERIMENTS),
    run=r"[^/]+",
    dataset="|".join(DATASET_NAMES),


def settings(experiment):
    """The experiment config its jobs run (in a rehearsal: one seed, the data resolved)."""
    return REHEARSED[experiment] if REHEARSAL else config["experiments"][experiment]


def experiment_config(wildcards):
    return settings(wildcards.experiment)


def run_config(wildcards):
    """A training job's settings: its experiment's without `claims`, which no run reads, so that an
    edit of a claim's setting or declaration retrains nothing."""
    return {k: v for k, v in settings(wildcards.experiment).items() if k != "claims"}


def run_outputs(experiment, name):
    runs = registry.part(experiment, "run").runs(settings(experiment))
    return [f"{RESULTS}/runs/{experiment}/{run}/{name}" for run in runs]


def run_metrics(wildcards):
    return run_outputs(wildcards.experiment, "metrics.parquet")


def every_run_meta(wildcards):
    """meta.json of every run of every target experiment (the cost table's input)."""
    return [path for e in TARGETS for path in run_outputs(e, "meta.json")]


def run_data(wildcards):
    """The dataset records (rule prepare_data) of the datasets the experiment reads."""
    names = registry.datasets_of(wildcards.experiment, experiment_config(wildcards))
    return expand(f"{RESULTS}/data/{{dataset}}.json", dataset=names)


def code(*modules):
    """A digest of the library source files a job runs (``fprinciple.sources``), given as a
    param: the profile's rerun-triggers include params, so editing one of those files reruns
    the jobs whose results it can change, and nothing else. A digest rather than the files as
    inputs: the console lists no source paths, and a copy of the checkout plans nothing.
    ``{experiment}`` is filled in.
    """

    def digest(wildcards):
        return sources.digest(*(m.format(**dict(wildcards.items())) for m in modules))

    return digest


def resource(key):
    """A training resource: the experiment's own `resources` entry, else config.train.resources."""

    def lookup(wildcards):
        own = experiment_config(wildcards).get("resources", {})
        return own.get(key, config["train"]["resources"][key])

    return lookup


def caption(wildcards):
    """The experiment's caption (experiments/<id>/caption.rst) for the generic figure caption."""
    return (registry.folder(wildcards.experiment) / "caption.rst").read_text()


def figure_facts(wildcards):
    experiment = registry.get(wildcards.experiment)
    cfg = experiment_config(wildcards)
    runs = registry.part(wildcards.experiment, "run").runs(cfg)
    return {
        "paper_figure": experiment.PAPER_FIGURE,
        "dataset": experiment.dataset(cfg),
        "scale": SCALE,
        "runs": len(runs),
        "seeds": len(
            {s for v in runs.values() for s in v.get("seeds", [v.get("seed")])}
        ),
        # As typed (Jinja's tojson writes \u2013 for "–" and \u0027 for "'").
        "settings": json.dumps(cfg, ensure_ascii=False),
    }
