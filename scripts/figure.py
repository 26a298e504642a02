"""Rule `figure`: draw an experiment's figure from its aggregated table."""

import pandas as pd

from fprinciple import figures
from fprinciple.figures import style
from fprinciple.io import logging_to

with logging_to(snakemake.log[0]):
    draw = figures.get(snakemake.wildcards.experiment)
    fig = draw(pd.read_parquet(snakemake.input[0]), snakemake.params.cfg)
    style.save(fig, snakemake.output.png, snakemake.output.pdf)
