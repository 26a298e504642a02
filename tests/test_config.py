"""Config validation: the shipped configs pass; each bad config stops with one message naming the key."""

import copy
import subprocess
import sys

import pytest
import yaml

from fprinciple.config import ConfigError, validate

from .conftest import ROOT, load_config


@pytest.mark.parametrize("name", ["config.yaml", "paper.yaml", "mnist.yaml"])
def test_shipped_configs_are_valid(name):
    validate(load_config(name))


def test_paper_scale_covers_every_experiment():
    """A --configfile replaces the quick default, so paper.yaml must name every experiment."""
    assert list(load_config("paper.yaml")["experiments"]) == list(load_config()["experiments"])


def test_mnist_check_reads_real_mnist_only():
    blocks = load_config("mnist.yaml")["experiments"].values()
    datasets = {value["dataset"] for block in blocks for value in _find(block, "data")}
    assert datasets == {"mnist"}


def _find(node, key):
    """Every value stored under ``key`` anywhere in a nested config block."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from ([v] if k == key else _find(v, key))
    elif isinstance(node, list):
        for v in node:
            yield from _find(v, key)


def _set(cfg, path, value):
    *parents, last = path.split(".")
    node = cfg
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value


BAD = [
    # (path, value, words the message must contain)
    ("experiments.fp1d_nope", {}, ["unknown key 'fp1d_nope'", "fp1d_equal_amp"]),
    ("experiments.fp1d_step.optimizer.lr", -0.1, ["experiments.fp1d_step.optimizer.lr", "must be > 0"]),
    ("experiments.fp1d_step.optimizer.lr", "fast", ["experiments.fp1d_step.optimizer.lr", "expected number"]),
    ("experiments.fp1d_step.model.activation", "relu6", ["model.activation", "'relu6'", "tanh", "sigmoid"]),
    ("experiments.fp1d_step.optimizer.name", "lbfgs", ["optimizer.name", "gd, sgd, adam"]),
    ("experiments.fp1d_step.steps", KeyError, ["experiments.fp1d_step", "missing key 'steps'"]),
    ("experiments.fp1d_step.steps", 10.5, ["experiments.fp1d_step.steps", "expected integer"]),
    ("experiments.fp1d_step.seeds", [], ["experiments.fp1d_step.seeds", "at least 1"]),
    ("experiments.fp1d_step.spectrum.delta_form", "phase", ["delta_form", "complex, magnitude"]),
    ("experiments.fp1d_step.target.kind", "square", ["target.kind", "sines, periodic_step"]),
    ("device", "tpu", ["device", "auto, cpu, cuda"]),
    ("scale", "huge", ["scale", "quick, paper"]),
    ("train.threads", 0, ["train.threads", ">= 1"]),
    ("experiments.fp1d_robustness.optimizers.rmsprop", {"lr": 0.1}, ["optimizers", "rmsprop", "gd, sgd, adam"]),
    ("experiments.fp1d_robustness.activations", ["tanh", "swish"], ["activations.1", "'swish'"]),
    ("experiments.fp1d_step.model.widths", [10], ["unknown key 'widths'", "hidden"]),
]


@pytest.mark.parametrize("path,value,words", BAD, ids=[b[0] + "=" + repr(b[1])[:20] for b in BAD])
def test_bad_config_names_the_key(quick_config, path, value, words):
    cfg = copy.deepcopy(quick_config)
    _set(cfg, path, value)
    with pytest.raises(ConfigError) as error:
        validate(cfg)
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_semantic_checks(quick_config):
    cfg = copy.deepcopy(quick_config)
    cfg["experiments"]["fp1d_step"]["snapshot_steps"] = [0, 10**9]
    with pytest.raises(ConfigError, match="snapshot_steps: 1000000000 is beyond steps"):
        validate(cfg)
    cfg = copy.deepcopy(quick_config)
    cfg["experiments"]["fp1d_robustness"]["optimizers"]["gd"]["batch_size"] = 8
    with pytest.raises(ConfigError, match="gd is full-batch"):
        validate(cfg)


def test_snakemake_stops_before_any_job(tmp_path, quick_config):
    cfg = copy.deepcopy(quick_config)
    cfg["experiments"]["fp1d_step"]["model"]["activation"] = "relu6"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(cfg))
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(bad)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "experiments.fp1d_step.model.activation: 'relu6' is not allowed" in result.stdout + result.stderr
