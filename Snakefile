# fprinciple: one DAG from config to figures, claims and report.
#   snakemake --cores 8                                  quick scale (config/config.yaml) -> results/quick/
#   snakemake --cores 8 --configfile config/paper.yaml   the papers' settings -> results/paper/
#   snakemake --cores 2 --configfile config/paper.yaml --config rehearsal=3
#                                     the papers' settings for 3 steps a loop, one seed, and the
#                                     cost of the full run -> results/rehearsal/ (cost.md)
#   snakemake --report report.html                       figures, captions and claims in one HTML


from snakemake.utils import min_version

min_version("9.0")


# A config file given with --configfile replaces the quick default rather than being merged
# into it, so no quick-scale key leaks into paper.yaml or any other complete config.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


# A killed run's locks are removed by the next run when no run is alive here (a one-line
# message says so), so a plain rerun resumes. Job processes parse this file again: they skip it.
if workflow.is_main_process:
    workflow_lock.hold()


include: "workflow/rules/data.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/cost.smk"


onsuccess:
    # The claims by status, as the run's last line (the table itself: claims.md).
    if Path(f"{RESULTS}/claims.parquet").exists():
        print(
            steps.claims_summary(
                f"{RESULTS}/claims.parquet", f"{RESULTS}/claims.md"
            )
        )


rule all:
    default_target: True
    input:
        expand(
            f"{RESULTS}/figures/{{experiment}}.{{ext}}",
            experiment=EXPERIMENTS,
            ext=["png", "pdf"],
        ),
        f"{RESULTS}/claims.parquet",
        f"{RESULTS}/claims.md",
        f"{RESULTS}/claims.html",
        # A rehearsal also estimates what the full run costs.
        [f"{RESULTS}/cost.{ext}" for ext in ("parquet", "md", "html")]
        if REHEARSAL
        else [],
