# Compute: one job per run, then one tidy table per experiment. A training job's params hold a
# digest of the library code its experiment runs, so a code edit reruns exactly the runs it can
# change.


rule train:
    input:
        data=run_data,
    output:
        metrics=f"{RESULTS}/runs/{{experiment}}/{{run}}/metrics.parquet",
        meta=f"{RESULTS}/runs/{{experiment}}/{{run}}/meta.json",
    log:
        f"{LOGS}/train/{{experiment}}/{{run}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{experiment}}/{{run}}.tsv"
    conda:
        "../envs/fprinciple.yaml"
    threads: resource("threads")
    resources:
        runtime=resource("runtime_min"),
        mem_mb=resource("mem_mb"),
        gpu=resource("gpu"),
    params:
        cfg=run_config,
        max_steps=REHEARSAL,
        eval_samples=rehearsal.EVAL_SAMPLES if REHEARSAL else None,
        code=code("fprinciple.experiments.{experiment}.run", "fprinciple.runner"),
    message:
        "train {wildcards.experiment}/{wildcards.run}"
    script:
        "../../scripts/train.py"


rule aggregate:
    input:
        run_metrics,
    output:
        f"{RESULTS}/tables/{{experiment}}.parquet",
    log:
        f"{LOGS}/aggregate/{{experiment}}.log",
    localrule: True
    message:
        "aggregate {wildcards.experiment}"
    run:
        steps.aggregate(input, output[0], log[0])
