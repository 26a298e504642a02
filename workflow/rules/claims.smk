# Check: every claim is a computation on the aggregated metrics; one table for all experiments.


rule experiment_claims:
    input:
        "results/tables/{experiment}.parquet",
    output:
        "results/claims/{experiment}.parquet",
    log:
        "logs/claims/{experiment}.log",
    localrule: True
    conda:
        "../envs/fprinciple.yaml"
    params:
        cfg=experiment_config,
        scale=config["scale"],
    script:
        "../../scripts/experiment_claims.py"


rule claims:
    input:
        expand("results/claims/{experiment}.parquet", experiment=EXPERIMENTS),
    output:
        parquet="results/claims.parquet",
        md="results/claims.md",
        html=report(
            "results/claims.html", caption="../report/claims.rst", category="Claims"
        ),
    log:
        "logs/claims/all.log",
    localrule: True
    conda:
        "../envs/fprinciple.yaml"
    script:
        "../../scripts/claims.py"
