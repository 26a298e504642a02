"""Rule `train`: run one training job (glue; the science is in fprinciple.experiments)."""

import sys
from pathlib import Path

try:
    from fprinciple.io import logging_to
    from fprinciple.runner import execute

    with logging_to(snakemake.log[0]):
        execute(
            experiment=snakemake.wildcards.experiment,
            run=snakemake.wildcards.run,
            cfg=snakemake.params.cfg,
            out_dir=Path(snakemake.output.metrics).parent,
            device=snakemake.config["device"],
            threads=snakemake.threads,
            checkpoint_every=snakemake.config["train"]["checkpoint_every"],
            progress=snakemake.config["train"]["progress"],
            compile_cache=snakemake.config["train"]["compile_cache"],
            data_root=snakemake.config["data_root"],
            download=snakemake.config["download"],
            max_steps=snakemake.params.max_steps,
            eval_samples=snakemake.params.eval_samples,
        )
except KeyboardInterrupt:
    # Ctrl-C in a terminal reaches every process of the run. Inside logging_to it is one log line
    # and status 130; during the imports, before the log is open, it ends the job as quietly.
    # Snakemake says it stopped, and the checkpoint makes a rerun resume exactly.
    sys.exit(130)
