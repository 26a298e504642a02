"""Which library source files a piece of the DAG runs, so that a code edit reruns exactly the
jobs whose results it can change (showyourwork's pattern).

``closure("fprinciple.figures.fp_image")`` is that module's file plus, transitively, every
fprinciple module it imports (read from the source with ``ast``, nothing is imported). The rules
give these files' ``digest`` as a param (Snakemake reruns a job whose params changed): editing a
figure module reruns that figure; editing the trainer reruns the training jobs of the
experiments that use it. The same digest enters each run's checkpoint fingerprint, so a
checkpoint never resumes under changed code.
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

PACKAGE = "fprinciple"
ROOT = Path(__file__).resolve().parent  # src/fprinciple


def _path(module: str) -> Path | None:
    """The source file of a fprinciple module or package (None outside the package)."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = ROOT.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _imports(module: str, path: Path) -> frozenset[str]:
    """The fprinciple modules ``module`` imports (``from . import x`` counts x when it is a module).

    Cached: the DAG asks for the closures of every experiment, figure and claim module, which
    share most of their imports (parsing them anew for each took 25 s of a smoke run's DAG)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found.add(origin)
            found |= {f"{origin}.{alias.name}" for alias in node.names}
    return frozenset(name for name in found if _path(name) is not None)


@cache
def closure(module: str) -> tuple[Path, ...]:
    """``module``'s source file and those of every fprinciple module it imports, transitively,
    including the packages (``__init__.py``) along each dotted path."""
    seen: dict[str, Path] = {}
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or (path := _path(name)) is None:
            continue
        seen[name] = path
        parents = [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]
        todo += parents + sorted(_imports(name, path))
    return tuple(sorted(set(seen.values())))


@cache
def digest(*modules: str) -> str:
    """A hash of the source files the given modules run, and of their paths relative to the
    package (so a copy of the checkout elsewhere has the same digests). Cached: the DAG asks
    for it once per job, and a file does not change while a DAG is built."""
    files = sorted({path for module in modules for path in closure(module)})
    h = hashlib.sha256()
    for path in files:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
