"""Rule `experiment_claims`: compute an experiment's claims from its metrics."""

import pandas as pd

from fprinciple import claims, experiments, io

with io.logging_to(snakemake.log[0]):
    module = experiments.get(snakemake.wildcards.experiment)
    rows = module.claims(pd.read_parquet(snakemake.input[0]), snakemake.params.cfg, snakemake.params.scale)
    io.write_parquet(claims.frame(rows), snakemake.output[0])
