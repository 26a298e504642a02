# Plot: figures read the aggregated tables and their claim rows (whose verdicts each figure shows),
# and their params hold a digest of the figure code they run, so a style change or a plot edit
# reruns exactly the figures it touches and nothing upstream.


rule figure:
    input:
        table=f"{RESULTS}/tables/{{experiment}}.parquet",
        claims=f"{RESULTS}/claims/{{experiment}}.parquet",
    output:
        png=report(
            f"{RESULTS}/figures/{{experiment}}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels={"experiment": "{experiment}"},
        ),
        pdf=f"{RESULTS}/figures/{{experiment}}.pdf",
    log:
        f"{LOGS}/figure/{{experiment}}.log",
    localrule: True
    params:
        cfg=experiment_config,
        caption=caption,
        facts=figure_facts,
        code=code(
            "fprinciple.experiments.{experiment}.figure", "fprinciple.figures.style"
        ),
    message:
        "figure {wildcards.experiment}"
    run:
        steps.figure(
            input.table,
            input.claims,
            output.png,
            output.pdf,
            log[0],
            wildcards.experiment,
            params.cfg,
        )
