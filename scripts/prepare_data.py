"""Rule `prepare_data`: check or download one dataset (glue; the logic is in fprinciple.datasets)."""

from fprinciple import io
from fprinciple.datasets import prepare

with io.logging_to(snakemake.log[0]):
    summary = prepare(snakemake.wildcards.dataset, snakemake.params.root, snakemake.params.download)
    io.write_json(summary, snakemake.output[0])
