# Plot: figures read the aggregated tables only, and depend on the figure code they run, so a
# style change or a plot edit reruns exactly the figures it touches and nothing upstream.


rule figure:
    input:
        table=f"{RESULTS}/tables/{{experiment}}.parquet",
        code=code("fprinciple.figures.{experiment}"),
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
    run:
        steps.figure(
            input.table,
            output.png,
            output.pdf,
            log[0],
            wildcards.experiment,
            params.cfg,
        )
