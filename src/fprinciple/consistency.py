"""Is every experiment complete? Each id needs pieces in several places; this names any missing.

An experiment id is complete when it has: its module ``src/fprinciple/experiments/<id>.py``
defining ``PAPER_FIGURE``, ``dataset`` (a function of the config), ``runs``, ``run`` and
``claims``; its figure module ``src/fprinciple/figures/<id>.py`` defining ``figure``; its caption
``workflow/report/<id>.rst``; its schema ``workflow/schemas/experiments/<id>.schema.yaml``; its
page ``docs/experiments/<id>.md``, linked from ``docs/README.md`` and named in ``README.md``; and a
block in each complete config (``COMPLETE_CONFIGS``).

The modules are read with ``ast``, never imported: the check takes milliseconds (no torch), and
it works on any checkout ``root``, e.g. a temporary copy with a toy experiment added.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPLETE_CONFIGS = ("config/config.yaml", "config/paper.yaml", "config/smoke.yaml")
MODULE_ATTRIBUTES = ("PAPER_FIGURE", "dataset", "runs", "run", "claims")


def missing_pieces(ids, root: Path = ROOT) -> list[str]:
    """One line per missing piece of each experiment in ``ids`` (empty: all complete)."""
    root = Path(root)
    ids = list(ids)
    problems = []
    for name in ids:
        problems += _module_problems(name, root)
        problems += _figure_problems(name, root)
        for what, relative in (
            ("caption", f"workflow/report/{name}.rst"),
            ("schema", f"workflow/schemas/experiments/{name}.schema.yaml"),
            ("docs page", f"docs/experiments/{name}.md"),
        ):
            if not (root / relative).is_file():
                problems.append(f"{name}: no {what} {relative}")
        problems += _mentions(name, root)
    problems += _config_problems(ids, root)
    return problems


def mentioned_ids(root: Path = ROOT) -> set[str]:
    """Every id some piece names: experiment modules, schema files, docs pages, config blocks.
    Checking all of them finds the orphans too (a schema or docs page left without a module)."""
    root = Path(root)
    names = {p.stem for p in (root / "src/fprinciple/experiments").glob("*.py")}
    names |= {
        p.name.removesuffix(".schema.yaml") for p in (root / "workflow/schemas/experiments").glob("*.schema.yaml")
    }
    names |= {p.stem for p in (root / "docs/experiments").glob("*.md")}
    for relative in COMPLETE_CONFIGS:
        config = _read_config(root / relative)
        if isinstance(config, dict) and isinstance(config.get("experiments"), dict):
            names |= set(config["experiments"])
    return {name for name in names if not name.startswith("_")}


def _module_problems(name: str, root: Path) -> list[str]:
    relative = f"src/fprinciple/experiments/{name}.py"
    bound = _top_level_names(root, relative)
    if isinstance(bound, str):
        return [f"{name}: {bound}"]
    problems = [
        f"{name}: {relative} defines no {attribute}" for attribute in MODULE_ATTRIBUTES if attribute not in bound
    ]
    dataset = bound.get("dataset")
    if isinstance(dataset, ast.FunctionDef) and len(dataset.args.posonlyargs + dataset.args.args) != 1:
        problems.append(f"{name}: {relative}: dataset must take the config alone (def dataset(cfg))")
    elif isinstance(dataset, ast.Constant):
        problems.append(f"{name}: {relative}: dataset must be a function of the config, not a constant")
    return problems


def _figure_problems(name: str, root: Path) -> list[str]:
    relative = f"src/fprinciple/figures/{name}.py"
    bound = _top_level_names(root, relative)
    if isinstance(bound, str):
        return [f"{name}: {bound}"]
    return [] if "figure" in bound else [f"{name}: {relative} defines no figure(metrics, cfg)"]


def _top_level_names(root: Path, relative: str) -> dict[str, ast.AST] | str:
    """The names the module at ``relative`` binds at top level, each with what it is bound to
    (a def, an assignment's value, an import); or why the module cannot be read."""
    path = root / relative
    if not path.is_file():
        return f"no module {relative}"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    except SyntaxError as error:
        return f"{relative} does not parse (line {error.lineno}: {error.msg})"
    bound: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bound[name.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            bound[node.target.id] = node.value
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound[(alias.asname or alias.name).split(".")[0]] = node
    return bound


def _mentions(name: str, root: Path) -> list[str]:
    """The docs index links the page; the top-level README names the id."""
    problems = []
    index = root / "docs" / "README.md"
    if not index.is_file() or f"experiments/{name}.md" not in index.read_text(encoding="utf-8"):
        problems.append(f"{name}: docs/README.md has no link to experiments/{name}.md")
    readme = root / "README.md"
    if not readme.is_file() or f"`{name}`" not in readme.read_text(encoding="utf-8"):
        problems.append(f"{name}: README.md does not name `{name}` in its list of experiments")
    return problems


def _config_problems(ids: list[str], root: Path) -> list[str]:
    problems = []
    for relative in COMPLETE_CONFIGS:
        config = _read_config(root / relative)
        if config is None:
            problems.append(
                f"{relative} is missing: a complete config holds a block for every experiment ({', '.join(ids)})"
            )
        elif isinstance(config, str):
            problems.append(f"{relative} cannot be read: {config}")
        else:
            blocks = config.get("experiments") if isinstance(config, dict) else None
            blocks = blocks if isinstance(blocks, dict) else {}
            problems += [f"{name}: no block experiments.{name} in {relative}" for name in ids if name not in blocks]
    return problems


def _read_config(path: Path):
    """The parsed config, None if the file is missing, or the YAML error as text."""
    if not path.is_file():
        return None
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        return " ".join(str(error).split())
