# Data: each real dataset is checked against its published checksums (and, with download: true,
# fetched) once, before any training job reads it.


rule prepare_data:
    output:
        f"{RESULTS}/data/{{dataset}}.json",
    log:
        f"{LOGS}/prepare_data/{{dataset}}.log",
    conda:
        "../envs/fprinciple.yaml"
    params:
        root=config["data_root"],
        download=config["download"],
    message:
        "prepare_data {wildcards.dataset}"
    script:
        "../../scripts/prepare_data.py"
