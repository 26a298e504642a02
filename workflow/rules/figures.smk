# Plot: figures read the aggregated tables only, so a style change reruns nothing but this.


rule figure:
    input:
        "results/tables/{experiment}.parquet",
    output:
        png=report(
            "results/figures/{experiment}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels={"experiment": "{experiment}"},
        ),
        pdf="results/figures/{experiment}.pdf",
    log:
        "logs/figure/{experiment}.log",
    localrule: True
    conda:
        "../envs/fprinciple.yaml"
    params:
        cfg=experiment_config,
        caption=caption,
        facts=figure_facts,
    script:
        "../../scripts/figure.py"
