"""Rule `figure`: draw an experiment's figure from its aggregated table (the trained network)."""

import pandas as pd

from fprinciple import figures
from fprinciple.figures import style
from fprinciple.io import logging_to
from fprinciple.learners import TRAINED

with logging_to(snakemake.log[0]):
    metrics = pd.read_parquet(snakemake.input.table)
    fig = figures.get(snakemake.wildcards.experiment)(metrics[metrics["learner"] == TRAINED], snakemake.params.cfg)
    style.save(fig, snakemake.output.png, snakemake.output.pdf)
