# Compute: one job per run, then one tidy table per experiment.


rule train:
    input:
        run_data,
    output:
        metrics="results/runs/{experiment}/{run}/metrics.parquet",
        meta="results/runs/{experiment}/{run}/meta.json",
    log:
        "logs/train/{experiment}/{run}.log",
    benchmark:
        "results/benchmarks/train/{experiment}/{run}.tsv"
    conda:
        "../envs/fprinciple.yaml"
    threads: resource("threads")
    resources:
        runtime=resource("runtime_min"),
        mem_mb=resource("mem_mb"),
        gpu=resource("gpu"),
    params:
        cfg=experiment_config,
    script:
        "../../scripts/train.py"


rule aggregate:
    input:
        run_metrics,
    output:
        "results/tables/{experiment}.parquet",
    log:
        "logs/aggregate/{experiment}.log",
    localrule: True
    conda:
        "../envs/fprinciple.yaml"
    script:
        "../../scripts/aggregate.py"
