# Data: each real dataset is checked (and, with download: true, fetched) once, before any
# training job reads it.


rule prepare_data:
    output:
        "results/data/{dataset}.json",
    log:
        "logs/prepare_data/{dataset}.log",
    conda:
        "../envs/fprinciple.yaml"
    params:
        root=config["data_root"],
        download=config["download"],
    script:
        "../../scripts/prepare_data.py"
