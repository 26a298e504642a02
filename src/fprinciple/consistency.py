"""Is every experiment complete? An experiment is one folder; this names any piece it lacks.

``src/fprinciple/experiments/<id>/`` is complete when it has ``__init__.py`` defining
``PAPER_FIGURE`` and ``dataset`` (a function of the config), ``run.py`` defining ``runs`` and
``run``, ``claims.py`` defining ``claims``, ``figure.py`` defining ``figure``, ``caption.rst``,
``schema.yaml``, ``README.md``, and ``config.yaml`` with a section for each scale in
``REQUIRED_SCALES`` and none outside the config schema's scales.

The modules are read with ``ast``, never imported: the check takes milliseconds (no torch), and
it works on any checkout ``root``, e.g. a temporary copy with a toy experiment added.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FOLDER = "src/fprinciple/experiments"
REQUIRED_SCALES = ("quick", "paper", "smoke")  # every experiment runs at these; others (mnist) are optional
DEFINES = {
    "__init__.py": ("PAPER_FIGURE", "dataset"),
    "run.py": ("runs", "run"),
    "claims.py": ("claims",),
    "figure.py": ("figure",),
}
FILES = {"caption.rst": "caption", "schema.yaml": "schema", "README.md": "docs page", "config.yaml": "config"}


def missing_pieces(ids, root: Path = ROOT) -> list[str]:
    """One line per missing piece of each experiment in ``ids`` (empty: all complete)."""
    root = Path(root)
    problems = []
    for name in ids:
        folder = f"{FOLDER}/{name}"
        for module, names in DEFINES.items():
            problems += _module_problems(name, root, f"{folder}/{module}", names)
        problems += [
            f"{name}: no {what} {folder}/{file}" for file, what in FILES.items() if not (root / folder / file).is_file()
        ]
        problems += _section_problems(name, root, f"{folder}/config.yaml")
    return problems


def experiment_folders(root: Path = ROOT) -> set[str]:
    """Every folder under experiments/ that holds something (a complete experiment or an orphan)."""
    return {
        p.name
        for p in (Path(root) / FOLDER).iterdir()
        if p.is_dir() and p.name[0] not in "_." and any(f.name != "__pycache__" for f in p.iterdir())
    }


def scales(root: Path = ROOT) -> list[str]:
    """The scales the config schema allows (``scale``'s enum)."""
    schema = yaml.safe_load((Path(root) / "workflow/schemas/config.schema.yaml").read_text(encoding="utf-8"))
    return schema["properties"]["scale"]["enum"]


def _module_problems(name: str, root: Path, relative: str, names: tuple[str, ...]) -> list[str]:
    bound = _top_level_names(root, relative)
    if isinstance(bound, str):
        return [f"{name}: {bound}"]
    problems = [f"{name}: {relative} defines no {attribute}" for attribute in names if attribute not in bound]
    dataset = bound.get("dataset")
    if isinstance(dataset, ast.FunctionDef) and len(dataset.args.posonlyargs + dataset.args.args) != 1:
        problems.append(f"{name}: {relative}: dataset must take the config alone (def dataset(cfg))")
    elif isinstance(dataset, ast.Constant):
        problems.append(f"{name}: {relative}: dataset must be a function of the config, not a constant")
    return problems


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


def _section_problems(name: str, root: Path, relative: str) -> list[str]:
    """config.yaml: a mapping of scale -> settings, every required scale present, none unknown."""
    path = root / relative
    if not path.is_file():
        return []  # named as a missing file already
    try:
        sections = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        return [f"{name}: {relative} cannot be read: {' '.join(str(error).split())}"]
    if not isinstance(sections, dict):
        return [f"{name}: {relative} is not a mapping of scale -> settings ({', '.join(REQUIRED_SCALES)}, ...)"]
    known = scales(root)
    problems = [f"{name}: {relative} has no section {scale}:" for scale in REQUIRED_SCALES if scale not in sections]
    problems += [
        f"{name}: {relative} has a section {key!r}, which is not a scale ({', '.join(known)})"
        for key in sections
        if key not in known
    ]
    return problems
