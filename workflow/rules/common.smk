# Helpers shared by the rules: config validation, run lists, results folder, resources,
# captions and the library code each job runs.
import os
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


wildcard_constraints:
    experiment="|".join(EXPERIMENTS),
    run=r"[^/]+",
    dataset="|".join(DATASET_NAMES),


def settings(experiment):
    """The experiment config its jobs run (in a rehearsal: one seed, the data resolved)."""
    return REHEARSED[experiment] if REHEARSAL else config["experiments"][experiment]


def experiment_config(wildcards):
    return settings(wildcards.experiment)


def run_outputs(experiment, name):
    runs = registry.get(experiment).runs(settings(experiment))
    return [f"{RESULTS}/runs/{experiment}/{run}/{name}" for run in runs]


def run_metrics(wildcards):
    return run_outputs(wildcards.experiment, "metrics.parquet")


def every_run_meta(wildcards):
    """meta.json of every run of every experiment (the cost table's input)."""
    return [path for e in EXPERIMENTS for path in run_outputs(e, "meta.json")]


def run_data(wildcards):
    """The dataset records (rule prepare_data) of the datasets the experiment reads."""
    names = registry.datasets_of(wildcards.experiment, experiment_config(wildcards))
    return expand(f"{RESULTS}/data/{{dataset}}.json", dataset=names)


def code(*modules):
    """The library source files a job runs (``fprinciple.sources``): editing one reruns the
    jobs whose results it can change, and nothing else. ``{experiment}`` is filled in.
    """

    def files(wildcards):
        names = [m.format(**dict(wildcards.items())) for m in modules]
        return sorted({str(path) for name in names for path in sources.closure(name)})

    return files


def resource(key):
    """A training resource: the experiment's own `resources` entry, else config.train.resources."""

    def lookup(wildcards):
        own = experiment_config(wildcards).get("resources", {})
        return own.get(key, config["train"]["resources"][key])

    return lookup


def caption(wildcards):
    """The experiment's caption text (workflow/report/<id>.rst) for the generic figure caption."""
    return (
        Path(workflow.basedir) / "workflow" / "report" / f"{wildcards.experiment}.rst"
    ).read_text()


def figure_facts(wildcards):
    experiment = registry.get(wildcards.experiment)
    cfg = experiment_config(wildcards)
    runs = experiment.runs(cfg)
    return {
        "paper_figure": experiment.PAPER_FIGURE,
        "dataset": experiment.dataset(cfg),
        "scale": SCALE,
        "runs": len(runs),
        "seeds": len(
            {s for v in runs.values() for s in v.get("seeds", [v.get("seed")])}
        ),
    }
