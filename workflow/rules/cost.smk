# Cost: from a rehearsal's measured step, log and start-up times, the CPU core-hours (GPU-hours
# on a GPU) of the config's full run and each experiment's SLURM runtime (fprinciple.cost).


rule cost:
    input:
        meta=every_run_meta,
        code=code("fprinciple.cost", "fprinciple.rehearsal"),
    output:
        parquet=f"{RESULTS}/cost.parquet",
        md=f"{RESULTS}/cost.md",
        html=report(
            f"{RESULTS}/cost.html", caption="../report/cost.rst", category="Cost"
        ),
    log:
        f"{LOGS}/cost.log",
    localrule: True
    run:
        steps.cost(
            input.meta,
            output.parquet,
            output.md,
            output.html,
            log[0],
            config["experiments"],
            config["data_root"],
            config["train"]["resources"],
        )
