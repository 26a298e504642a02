"""Rule `experiment_claims`: an experiment's claims, on its trained network and on its controls."""

import pandas as pd

from fprinciple import claims, experiments, io

with io.logging_to(snakemake.log[0]):
    experiment, cfg = snakemake.wildcards.experiment, snakemake.params.cfg
    module = experiments.get(experiment)
    table = claims.evaluate(module.claims, pd.read_parquet(snakemake.input.table), cfg, experiment=experiment,
                            scale=snakemake.params.scale, dataset=module.dataset(cfg))
    io.write_parquet(table, snakemake.output[0])
