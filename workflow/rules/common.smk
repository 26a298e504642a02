# Helpers shared by the rules: config validation, run lists, resources and captions.
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
from fprinciple.config import validate as validate_config
from fprinciple.datasets import NAMES as DATASET_NAMES

validate_config(
    config, Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
)

EXPERIMENTS = list(config["experiments"])


wildcard_constraints:
    experiment="|".join(EXPERIMENTS),
    run=r"[^/]+",
    dataset="|".join(DATASET_NAMES),


def experiment_config(wildcards):
    return config["experiments"][wildcards.experiment]


def run_metrics(wildcards):
    runs = registry.get(wildcards.experiment).runs(experiment_config(wildcards))
    return expand(
        "results/runs/{experiment}/{run}/metrics.parquet",
        experiment=wildcards.experiment,
        run=list(runs),
    )


def run_data(wildcards):
    """The dataset records (rule prepare_data) of the datasets the experiment reads."""
    names = registry.datasets_of(wildcards.experiment, experiment_config(wildcards))
    return expand("results/data/{dataset}.json", dataset=names)


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
    runs = experiment.runs(experiment_config(wildcards))
    return {
        "paper_figure": experiment.PAPER_FIGURE,
        "dataset": registry.dataset_caption(
            wildcards.experiment, experiment_config(wildcards)
        ),
        "scale": config["scale"],
        "runs": len(runs),
        "seeds": len(
            {s for v in runs.values() for s in v.get("seeds", [v.get("seed")])}
        ),
    }
