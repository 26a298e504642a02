# fprinciple: one DAG from config to figures, claims and report.
#   snakemake --cores 8                                  quick scale (config/config.yaml) -> results/quick/
#   snakemake --cores 8 --configfile config/paper.yaml   the papers' settings -> results/paper/
#   snakemake --cores 2 --configfile config/paper.yaml --config rehearsal=3
#                                     the papers' settings for 3 steps a loop, one seed, and the
#                                     cost of the full run -> results/rehearsal/ (cost.md)
#   snakemake --report results/quick/report.html         figures, captions and claims in one HTML;
#   snakemake --report results/paper/report.html --configfile config/paper.yaml    (one per scale)
# `python3 run.py figures [ID ...]` and `python3 run.py report` run these from ./.venv (README.md).


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
    # The closing summary: where the results are, the claims by status, the report command.
    if Path(f"{RESULTS}/claims.parquet").exists():
        print(
            f"\nResults in {RESULTS}/: figures/, claims.md, claims.html"
            + (", cost.md" if REHEARSAL else "")
        )
        print(
            steps.claims_summary(
                f"{RESULTS}/claims.parquet", f"{RESULTS}/claims.md"
            )
        )
        if SCOPE:
            print(SCOPE)
        report = run_py("report", TARGETS if SCOPE else ())
        print(f"Report: {report}  (writes {RESULTS}/report.html)")


onerror:
    # One line after Snakemake's error block: the failed jobs' logs, read from the run's logs.
    # None after Ctrl-C, where Snakemake says it stopped on request (and run.py how to resume).
    text = "".join(Path(path).read_text() for path in log)
    if "Terminating processes on user request" not in text:
        failed = re.findall(r"^\s+log: (.+?) \(check log", text, re.M)
        print(f"\nFailed: see {', '.join(failed or log)}")


rule all:
    default_target: True
    input:
        expand(
            f"{RESULTS}/figures/{{experiment}}.{{ext}}",
            experiment=TARGETS,
            ext=["png", "pdf"],
        ),
        f"{RESULTS}/claims.parquet",
        f"{RESULTS}/claims.md",
        f"{RESULTS}/claims.html",
        # A rehearsal also estimates what the full run costs.
        [f"{RESULTS}/cost.{ext}" for ext in ("parquet", "md", "html")]
        if REHEARSAL
        else [],
    message:
        "all: figures and claims"
