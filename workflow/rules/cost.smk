# Cost: from a rehearsal's measured step, log and start-up times, the CPU core-hours (GPU-hours
# on a GPU) of the config's full run, bound and expected, and each experiment's SLURM runtime
# (fprinciple.cost). The quick scale's runs next to RESULTS, where there, give the expected steps
# of loops that may stop early: read by steps.cost, not an input, so a rehearsal never starts a
# quick run.


rule cost:
    input:
        meta=every_run_meta,
    output:
        parquet=f"{RESULTS}/cost.parquet",
        md=f"{RESULTS}/cost.md",
        html=report(
            f"{RESULTS}/cost.html", caption="../report/cost.rst", category="Cost"
        ),
    log:
        f"{LOGS}/cost.log",
    localrule: True
    params:
        code=code("fprinciple.cost", "fprinciple.rehearsal"),
    message:
        "cost: the full run's cost, from this rehearsal"
    run:
        steps.cost(
            input.meta,
            *output,  # parquet, md, html
            log[0],
            {e: config["experiments"][e] for e in TARGETS},
            config["data_root"],
            config["train"]["resources"],
        )
