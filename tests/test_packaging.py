"""environment.yml and pyproject.toml declare the same dependencies; run.py pins the CPU torch."""

import re
import tomllib

import yaml

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
