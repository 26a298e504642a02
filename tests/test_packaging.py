"""environment.yml and pyproject.toml declare the same dependencies; run.py pins the CPU torch;
a wheel and a source archive hold every experiment folder whole."""

import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile

import yaml

from fprinciple import experiments

from .conftest import ROOT

CONDA_NAMES = {"pytorch": "torch"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].strip().lower()


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_side = {CONDA_NAMES.get(_name(d), _name(d)) for d in env["dependencies"] if isinstance(d, str)}
    conda_side -= {"python", "pip"}
    assert conda_side == pip_side


def test_rule_environment_matches_runtime_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]} - {"snakemake"}
    env = yaml.safe_load((ROOT / "workflow" / "envs" / "fprinciple.yaml").read_text())
    rules = {CONDA_NAMES.get(_name(d), _name(d)) for d in env["dependencies"]} - {"python"}
    assert rules == runtime


def test_installer_pins_cpu_torch_that_satisfies_pyproject():
    text = (ROOT / "run.py").read_text()
    assert '"torch==2.13.0"' in text and '"torchvision==0.28.0"' in text


def test_wheel_and_sdist_hold_every_experiment_folder_whole(tmp_path):
    """Its settings, schema, caption and page are package data beside its code (pyproject.toml)."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copy(ROOT / "README.md", source)
    for hook in ("build_wheel", "build_sdist"):  # one process each: the second misplaces its archive otherwise
        build = f"import sys; from setuptools import build_meta; build_meta.{hook}(sys.argv[1])"
        built = subprocess.run([sys.executable, "-c", build, str(tmp_path)], cwd=source, capture_output=True, text=True)
        assert built.returncode == 0, built.stderr[-3000:]
    wheel = set(zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist())
    with tarfile.open(next(tmp_path.glob("*.tar.gz"))) as archive:
        sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    code = ["__init__.py", "run.py", "claims.py", "figure.py"]
    for experiment in experiments.ids():
        for part in [*code, "config.yaml", "schema.yaml", "caption.rst", "README.md"]:
            assert f"fprinciple/experiments/{experiment}/{part}" in wheel, (experiment, part)
            assert f"src/fprinciple/experiments/{experiment}/{part}" in sdist, (experiment, part)
