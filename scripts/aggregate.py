"""Rule `aggregate`: one tidy metrics table per experiment."""

from fprinciple import io

with io.logging_to(snakemake.log[0]):
    io.write_parquet(io.concat_parquet(snakemake.input), snakemake.output[0])
