# Check: every claim is a computation on the aggregated metrics, held against the negative
# controls logged with them; one table for all experiments.


rule experiment_claims:
    input:
        table=f"{RESULTS}/tables/{{experiment}}.parquet",
    output:
        f"{RESULTS}/claims/{{experiment}}.parquet",
    log:
        f"{LOGS}/claims/{{experiment}}.log",
    localrule: True
    params:
        cfg=experiment_config,
        scale=SCALE,
        code=code("fprinciple.experiments.{experiment}.claims", "fprinciple.claims"),
    message:
        "experiment_claims {wildcards.experiment}"
    run:
        steps.experiment_claims(
            input.table,
            output[0],
            log[0],
            wildcards.experiment,
            params.cfg,
            params.scale,
        )


rule claims:
    input:
        expand(f"{RESULTS}/claims/{{experiment}}.parquet", experiment=TARGETS),
    output:
        parquet=f"{RESULTS}/claims.parquet",
        md=f"{RESULTS}/claims.md",
        html=report(
            f"{RESULTS}/claims.html", caption="../report/claims.rst", category="Claims"
        ),
    log:
        f"{LOGS}/claims/all.log",
    localrule: True
    params:
        scope=SCOPE,
        code=code("fprinciple.claims_table"),
    message:
        "claims: the claims table"
    run:
        steps.claims(
            input, output.parquet, output.md, output.html, log[0], params.scope
        )
