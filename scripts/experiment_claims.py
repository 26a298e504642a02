"""Rule `experiment_claims`: compute an experiment's claims from its metrics."""

from dataclasses import replace

import pandas as pd

from fprinciple import claims, experiments, io

with io.logging_to(snakemake.log[0]):
    experiment, cfg = snakemake.wildcards.experiment, snakemake.params.cfg
    rows = experiments.get(experiment).claims(pd.read_parquet(snakemake.input[0]), cfg, snakemake.params.scale)
    dataset = experiments.dataset_caption(experiment, cfg)
    rows = [row if row.dataset else replace(row, dataset=dataset) for row in rows]
    io.write_parquet(claims.frame(rows), snakemake.output[0])
