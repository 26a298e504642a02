"""Each job depends on its own side of an experiment only (fprinciple.experiments, docs/architecture.md):
the run side never imports the analysis side, and the analysis side and figures never import the run
side or torch. So editing a claim or a figure never retrains, and the digests that rerun jobs are exact."""

import ast
from pathlib import Path

import pytest

from fprinciple import experiments, sources

RUN_SIDE = ("fprinciple.engines", "fprinciple.training", "fprinciple.models", "fprinciple.runner")
ANALYSIS_SIDE = ("fprinciple.claims", "fprinciple.claims_table", "fprinciple.analysis", "fprinciple.figures")
SRC = sources.ROOT.parent  # src/


def modules(part: str) -> dict[str, Path]:
    """The fprinciple modules in ``part``'s closure, by dotted name."""
    named = {}
    for path in sources.closure(part):
        relative = path.relative_to(SRC).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        named[".".join(parts)] = path
    return named


def inside(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def imports_torch(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        names += [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
        if any(n == "torch" or n.startswith("torch.") for n in names):
            return True
    return False


@pytest.mark.parametrize("experiment", experiments.ids())
def test_run_side_never_imports_the_analysis_side(experiment):
    own = [experiments.module_name(experiment, p) for p in ("claims", "figure")]
    found = [m for m in modules(experiments.module_name(experiment, "run")) if inside(m, ANALYSIS_SIDE + tuple(own))]
    assert not found, f"{experiment}/run.py's imports reach the analysis side: {found}"


@pytest.mark.parametrize("part", ["claims", "figure"])
@pytest.mark.parametrize("experiment", experiments.ids())
def test_analysis_side_and_figure_never_import_the_run_side_or_torch(experiment, part):
    closure = modules(experiments.module_name(experiment, part))
    run = experiments.module_name(experiment, "run")
    found = [m for m in closure if inside(m, RUN_SIDE) or m.endswith(".run")]
    assert not found, f"{experiment}/{part}.py's imports reach the run side: {found}"
    assert run not in closure
    torch_users = [m for m, path in closure.items() if imports_torch(path)]
    assert not torch_users, f"{experiment}/{part}.py's imports reach torch: {torch_users}"


@pytest.mark.parametrize("experiment", experiments.ids())
def test_the_experiment_package_itself_imports_neither_side(experiment):
    """Its __init__.py is in every job's closure (a parent package): it holds metadata only."""
    closure = modules(f"fprinciple.experiments.{experiment}")
    found = [m for m, path in closure.items() if inside(m, RUN_SIDE + ANALYSIS_SIDE) or imports_torch(path)]
    assert not found, f"{experiment}/__init__.py's imports reach a side: {found}"


def test_a_figure_imports_the_analysis_side_and_no_other_experiment():
    """A figure depends on exactly its own code: no experiment's figure reaches another experiment."""
    for experiment in experiments.ids():
        others = [
            m
            for m in modules(experiments.module_name(experiment, "figure"))
            if m.startswith("fprinciple.experiments.") and m.split(".")[2] != experiment
        ]
        assert not others, f"{experiment}/figure.py imports other experiments: {others}"
