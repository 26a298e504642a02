"""Config validation: the shipped configs pass; each bad config stops with one message naming the
key, before any job; YAML problems name the file and line."""

import copy
import shutil
import subprocess
import sys

import pytest
import yaml

from fprinciple.config import (
    EXPERIMENTS,
    MAX_SHOWN,
    SPLIT_SIZES,
    ConfigError,
    _fill_defaults,
    assemble_schema,
    experiment_schemas,
    load_and_validate,
    main,
    read_config_file,
    validate,
)

from .conftest import MNIST_RAW, ROOT, load_config, needs_mnist


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "config").glob("*.yaml")))
def test_shipped_configs_are_valid(name):
    load_and_validate([ROOT / "config" / name])


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
        node = node[int(key) if isinstance(node, list) else key]
    last = int(last) if isinstance(node, list) else last
    if value is KeyError:
        del node[last]
    else:
        node[last] = value


E = "experiments."
# (changes: one "path=value" pair or several, key the message must name, other words it must contain)
BAD = [
    # -- the schema: types, allowed values, ranges, required and unknown keys
    (
        [(E + "fp1d_nope", {})],
        E + "fp1d_nope",
        ["unknown key 'fp1d_nope'", "no experiment has that id", "known experiments", "fp1d_equal_amp", "basri_deep"],
    ),
    ([(E + "fp1d_step.optimizer.lr", -0.1)], E + "fp1d_step.optimizer.lr", ["must be > 0"]),
    ([(E + "fp1d_step.optimizer.lr", "fast")], E + "fp1d_step.optimizer.lr", ["expected number"]),
    ([(E + "fp1d_step.optimizer.lr", "1e-3")], E + "fp1d_step.optimizer.lr", ["expected number", "write 1.0e-3"]),
    ([(E + "basri_deep.lr", "5e-2")], E + "basri_deep.lr", ["write 5.0e-2"]),
    (
        [(E + "fp1d_step.model.activation", "relu6")],
        E + "fp1d_step.model.activation",
        ["'relu6' is not allowed", "tanh", "sigmoid", "did you mean 'relu'"],
    ),
    ([(E + "fp1d_step.optimizer.name", "lbfgs")], E + "fp1d_step.optimizer.name", ["gd, sgd, adam"]),
    ([(E + "fp1d_step.steps", KeyError)], E + "fp1d_step", ["missing key 'steps'", "snapshot_steps", "spectrum"]),
    (
        [(E + "fp1d_step.steps", KeyError), (E + "fp1d_step.grid", KeyError)],
        E + "fp1d_step",
        ["missing keys 'grid', 'steps': add them"],
    ),
    # a misspelt required key is one problem: the unknown spelling, with the key meant
    (
        [(E + "fp1d_step.steps", KeyError), (E + "fp1d_step.stesp", 60)],
        E + "fp1d_step.stesp",
        ["unknown key 'stesp' (did you mean 'steps'?)"],
    ),
    ([(E + "fp1d_step.steps", 10.5)], E + "fp1d_step.steps", ["expected integer"]),
    ([(E + "fp1d_step.steps", 2000.0)], E + "fp1d_step.steps", ["write 2000 (no decimal point)"]),
    ([(E + "fp1d_step.seeds", [])], E + "fp1d_step.seeds", ["at least 1 entry"]),
    ([(E + "fp1d_equal_amp.seeds", [0, 0])], E + "fp1d_equal_amp.seeds", ["must be unique"]),
    ([(E + "fp1d_step.seeds", 0)], E + "fp1d_step.seeds", ["expected array", "write a list, e.g. [0]"]),
    ([(E + "fp1d_step.spectrum.delta_form", "phase")], E + "fp1d_step.spectrum.delta_form", ["complex, magnitude"]),
    ([(E + "fp1d_step.target.kind", "square")], E + "fp1d_step.target.kind", ["sines, periodic_step"]),
    ([(E + "fp1d_step.target.period", KeyError)], E + "fp1d_step.target", ["missing key 'period'"]),
    ([(E + "fp1d_snapshots.claims", KeyError)], E + "fp1d_snapshots", ["missing key 'claims'"]),
    ([("device", "tpu")], "device", ["auto, cpu, cuda"]),
    # what PyTorch users call the GPU, in any case: cuda
    ([("device", "gpu")], "device", ["'gpu' is not allowed", "did you mean 'cuda'"]),
    ([("device", "GPU")], "device", ["did you mean 'cuda'"]),
    ([("device", "nvidia")], "device", ["did you mean 'cuda'"]),
    ([("device", "CPU")], "device", ["did you mean 'cpu'"]),
    ([("scale", "huge")], "scale", ["quick, paper, smoke"]),
    ([("data_root", 5)], "data_root", ["expected string"]),
    ([("rehearsal", 0)], "rehearsal", ["must be >= 1"]),
    ([("results", ["results"])], "results", ["expected string"]),
    ([("download", "maybe")], "download", ["expected boolean", "write true or false"]),
    ([("train.checkpoint_every", -1)], "train.checkpoint_every", [">= 0"]),
    (
        [("train.threads", 1)],
        "train.threads",
        ["unknown key 'threads'", "checkpoint_every, compile_cache, progress, resources"],
    ),
    (
        [("train.resources.runtime_min", KeyError)],
        "train.resources",
        ["missing key 'runtime_min'", "threads, runtime_min, mem_mb, gpu"],
    ),
    ([("train.resources.mem_mb", 50)], "train.resources.mem_mb", [">= 100"]),
    ([("experiments", {})], "experiments", ["at least 1"]),
    (
        [(E + "fp1d_robustness.optimizers.rmsprop", {"lr": 0.1})],
        E + "fp1d_robustness.optimizers.rmsprop",
        ["unknown key 'rmsprop'", "gd, sgd, adam"],
    ),
    (
        [(E + "fp1d_robustness.optimizers.adma", {"lr": 0.1})],
        E + "fp1d_robustness.optimizers.adma",
        ["unknown key 'adma' (did you mean 'adam'?)"],
    ),
    ([(E + "fp1d_robustness.activations", ["tanh", "swish"])], E + "fp1d_robustness.activations.1", ["'swish'"]),
    ([(E + "fp1d_step.model.widths", [10])], E + "fp1d_step.model.widths", ["unknown key 'widths'", "hidden"]),
    # an extra key where a base schema is shared (fit1d_base, sweep_base): that key, every allowed key
    (
        [(E + "fp1d_step.seedz", [0])],
        E + "fp1d_step.seedz",
        ["unknown key 'seedz'", "did you mean 'seeds'", "grid", "seeds", "snapshot_steps", "spectrum", "steps"],
    ),
    (
        [(E + "basri_shallow_1d.widht", 1000)],
        E + "basri_shallow_1d.widht",
        ["did you mean 'width'", "symmetric_init", "k_max", "seeds"],
    ),
    ([(E + "basri_deep.depth", 4)], E + "basri_deep.depth", ["unknown key 'depth'", "nets", "relative_threshold"]),
    ([(E + "basri_shallow_1d.ensemble", "parallel")], E + "basri_shallow_1d.ensemble", ["auto, batched, sequential"]),
    ([(E + "basri_shallow_1d.nets.bias.cap", KeyError)], E + "basri_shallow_1d.nets.bias", ["missing key 'cap'"]),
    ([(E + "fp_filter.nets.resnet", {})], E + "fp_filter.nets.resnet", ["unknown key 'resnet'", "cnn, dnn, vgg16"]),
    (
        [(E + "basri_label_noise.data.dataset", "fashion")],
        E + "basri_label_noise.data.dataset",
        ["mnist, cifar10, digits, cifar_standin"],
    ),
    (
        [(E + "fp_projection.families.mnist.net.kind", "mlp")],
        E + "fp_projection.families.mnist.net.kind",
        ["dnn, cnn, vgg16"],
    ),
    ([(E + "fp_init_scale.mnist.net.kind", "cnn")], E + "fp_init_scale.mnist.net.kind", ["must be 'dnn'"]),
    ([(E + "fp_parity.dim", 20)], E + "fp_parity.dim", ["must be >= 2 and <= 16"]),
    ([(E + "fp_image.image.size", 1024)], E + "fp_image.image.size", ["<= 512"]),
    # -- rules across keys
    ([(E + "fp1d_step.grid.low", 4.0)], E + "fp1d_step.grid", ["must be below high"]),
    ([(E + "fp_init_scale.fit1d.grid.low", 4.0)], E + "fp_init_scale.fit1d.grid", ["must be below high"]),
    (
        [(E + "fp1d_step.snapshot_steps", [0, 500, 100, 2000])],
        E + "fp1d_step.snapshot_steps",
        ["strictly increasing", "[0, 100, 500, 2000]"],
    ),
    ([(E + "fp1d_step.snapshot_steps", [0, 10**9])], E + "fp1d_step.snapshot_steps.1", ["beyond steps = 2000"]),
    ([(E + "fp_image.snapshot_steps", [100, 250, 5000])], E + "fp_image.snapshot_steps.2", ["beyond steps = 1000"]),
    ([(E + "fp1d_step.log_every", 5000)], E + "fp1d_step.log_every", ["beyond steps = 2000"]),
    (
        [(E + "fp1d_step.spectrum.max_freq", 150)],
        E + "fp1d_step.spectrum.max_freq",
        ["Nyquist frequency 100", "grid.n = 200"],
    ),
    ([(E + "fp_init_scale.fit1d.max_freq", 600)], E + "fp_init_scale.fit1d.max_freq", ["Nyquist frequency 512"]),
    ([(E + "fp_init_scale.fit1d.high_freq_min", 50)], E + "fp_init_scale.fit1d.high_freq_min", ["max_freq = 40"]),
    (
        [(E + "basri_missing_data.claims.max_freq", 1500)],
        E + "basri_missing_data.claims.max_freq",
        ["Nyquist frequency 1000"],
    ),
    ([(E + "basri_superposition.frequencies", [4, 200])], E + "basri_superposition.frequencies", ["256"]),
    ([(E + "basri_deep.claims.k_min", 9)], E + "basri_deep.claims.k_min", ["below k_max = 8"]),
    ([(E + "basri_shallow_1d.claims.k_min", 12)], E + "basri_shallow_1d.claims.k_min", ["below k_max = 12"]),
    ([(E + "basri_label_noise.n_val", 1500)], E + "basri_label_noise.n_val", ["1500 (the whole split)"]),
    ([(E + "basri_label_noise.data.n_train", 2000)], E + "basri_label_noise.data.n_train", ["1500 samples of digits"]),
    ([(E + "fp_filter.datasets.0.data.n_test", 500)], E + "fp_filter.datasets.0.data.n_test", ["297"]),
    (
        [(E + "fp_projection.families.cifar10.data.n_train", None)],
        E + "fp_projection.families.cifar10.data.n_train",
        ["generates its samples"],
    ),
    (
        [(E + "fp1d_robustness.optimizers.gd.batch_size", 8)],
        E + "fp1d_robustness.optimizers.gd.batch_size",
        ["full-batch"],
    ),
    (
        [(E + "fp1d_snapshots.target.amplitudes", [1.0])],
        E + "fp1d_snapshots.target.amplitudes",
        ["one amplitude per frequency"],
    ),
    ([(E + "basri_asymptotics.curve_dims", [2, 3])], E + "basri_asymptotics.curve_dims.1", ["not one of the dims"]),
    ([(E + "basri_asymptotics.dims.min", 200)], E + "basri_asymptotics.dims", ["0 values, fewer than the 3"]),
    (
        [(E + "basri_asymptotics.degrees", {"min": 800, "max": 805, "step": 10})],
        E + "basri_asymptotics.degrees",
        ["fewer than the 2"],
    ),
    ([(E + "basri_asymptotics.claims.slope_min", 2.0)], E + "basri_asymptotics.claims.slope_min", ["slope_max"]),
    (
        [(E + "fp_filter.datasets.1.figure_deltas", [20, 7])],
        E + "fp_filter.datasets.1.figure_deltas.1",
        ["not one of the deltas"],
    ),
    # XZ20: the RDF is measured at logged epochs from 0, on samples that exist; grids ordered
    (
        [(E + "dfp_layers.rdf.measure_epochs", [0, 15, 80])],
        E + "dfp_layers.rdf.measure_epochs.1",
        ["not a multiple of log_every = 10"],
    ),
    ([(E + "dfp_layers.rdf.measure_epochs", [10, 20])], E + "dfp_layers.rdf.measure_epochs", ["start at 0"]),
    ([(E + "dfp_resnet.rdf.measure_epochs", [0, 20])], E + "dfp_resnet.rdf.measure_epochs.1", ["beyond epochs = 10"]),
    ([(E + "dfp_layers.rdf.n_samples", 2000)], E + "dfp_layers.rdf.n_samples", ["1500 training samples"]),
    ([(E + "dfp_resnet.rdf.n_samples", 700)], E + "dfp_resnet.rdf.n_samples", ["600 training samples"]),
    ([(E + "dfp_rdf_demo.k0.min", 500.0)], E + "dfp_rdf_demo.k0", ["must be below max = 100.0"]),
    ([(E + "dfp_rdf_demo.frequencies", [1, 600])], E + "dfp_rdf_demo.frequencies", ["Nyquist", "1000"]),
    ([(E + "dfp_rdf_demo.delta_convention", "sigma")], E + "dfp_rdf_demo.delta_convention", ["std, variance"]),
    ([(E + "dfp_resnet.net.kind", "dnn")], E + "dfp_resnet.net.kind", ["must be 'resnet18'"]),
    ([(E + "dfp_resnet.blocks_removed", [0, 5])], E + "dfp_resnet.blocks_removed.1", ["<= 4"]),
    ([(E + "dfp_depth.optimizer.name", "sgd")], E + "dfp_depth.optimizer.name", ["gd, adam"]),
    ([(E + "dfp_layers.claims.summary", "mode")], E + "dfp_layers.claims.summary", ["median, mean"]),
    # a convergence window longer than the run logs
    ([(E + "fp1d_equal_amp.spectrum.window", 500)], E + "fp1d_equal_amp.spectrum.window", ["more than the 81"]),
    ([(E + "fp_image.claims.window", 100)], E + "fp_image.claims.window", ["more than the 51"]),
    (
        [(E + "fp1d_robustness.optimizers.adam.steps", 50)],
        E + "fp1d_robustness.spectrum.window",
        ["the 6 that", "steps 50"],
    ),
    # fp_poisson and theory_stages
    (
        [(E + "fp_poisson.problem.amplitudes", [1.0, 0.5])],
        E + "fp_poisson.problem.amplitudes",
        ["2 amplitudes for 3 wavenumbers"],
    ),
    (
        [(E + "fp_poisson.problem.wavenumbers", [1, 4, 32])],
        E + "fp_poisson.problem.wavenumbers",
        ["k = 32 needs 4k < n_interior + 1 = 128", "at least 128"],
    ),
    ([(E + "fp_poisson.hybrid.dnn_steps", 6000)], E + "fp_poisson.hybrid.dnn_steps", ["beyond dnn.steps = 5000"]),
    ([(E + "fp_poisson.dnn.loss", "l2")], E + "fp_poisson.dnn.loss", ["ritz, residual"]),
    ([(E + "theory_stages.target.low", [1, 5])], E + "theory_stages.target.low", ["5 is above cutoff = 4"]),
    ([(E + "theory_stages.target.high", [4, 8])], E + "theory_stages.target.high", ["4 is not above cutoff = 4"]),
    ([(E + "theory_stages.grid_points", 16)], E + "theory_stages.target.high", ["Nyquist frequency 8"]),
    ([(E + "theory_stages.losses", [2, 3])], E + "theory_stages.losses.1", ["2, 4"]),
    ([(E + "theory_stages.final_cutoffs", [4, 200])], E + "theory_stages.final_cutoffs", ["Nyquist frequency 128"]),
    ([(E + "theory_stages.final_cutoffs", [8, 4])], E + "theory_stages.final_cutoffs", ["not ascending"]),
    (
        [(E + "fp_nongd.methods.adam", {"max_iterations": 10})],
        E + "fp_nongd.methods.adam",
        ["unknown key 'adam'", "cg, bfgs, l-bfgs-b, powell, pso"],
    ),
    # memory: weights and gradients alone beyond mem_mb
    ([(E + "fp1d_step.model.hidden", [10**9, 10])], E + "fp1d_step.model.hidden", ["mem_mb = 2000"]),
    ([(E + "fp1d_robustness.model.width", 100_000)], E + "fp1d_robustness.model.width", ["mem_mb = 2000"]),
    (
        [(E + "fp_filter.nets.cnn.model.channels", [50_000, 50_000])],
        E + "fp_filter.nets.cnn.model.channels",
        ["mem_mb = 2000"],
    ),
    (
        [(E + "fp_parity.model.hidden", [200_000, 200_000]), (E + "fp_parity.resources", {"mem_mb": 4000})],
        E + "fp_parity.model.hidden",
        ["mem_mb = 4000", "experiments.fp_parity.resources.mem_mb"],
    ),
]


@pytest.mark.parametrize("changes,key,words", BAD, ids=[f"{b[0][0][0]}={b[0][0][1]!r:.20}" for b in BAD])
def test_bad_config_names_the_key(quick_config, changes, key, words):
    cfg = copy.deepcopy(quick_config)
    for path, value in changes:
        _set(cfg, path, value)
    with pytest.raises(ConfigError) as error:
        validate(cfg)
    assert all("\n" not in problem for problem in error.value.problems)
    message = error.value.problems[0]  # a change can break a second rule too (listed after it)
    assert message.startswith(f"invalid config: {key}"), message
    assert message.split(": ")[1] == key, message
    for word in words:
        assert word in message, message
    page = key.split(".")[1] if key.startswith(E) and key != E + "fp1d_nope" else None
    assert message.endswith(f"src/fprinciple/experiments/{page}/README.md)" if page else "config/README.md)"), message


def test_table_is_large():
    assert len(BAD) >= 40


@pytest.mark.parametrize("text", ["false", "False", "FALSE", "true", "True"])
def test_lowercase_booleans_from_the_command_line_are_booleans(quick_config, text):
    """``snakemake --config download=false`` passes the text 'false' (only True/False are parsed)."""
    cfg = copy.deepcopy(quick_config)
    cfg["download"] = text
    cfg["train"]["progress"] = text
    cfg["experiments"]["basri_shallow_1d"]["nets"]["bias"]["bias"] = text
    validate(cfg)
    expected = text.lower() == "true"
    assert cfg["download"] is expected and cfg["train"]["progress"] is expected
    assert cfg["experiments"]["basri_shallow_1d"]["nets"]["bias"]["bias"] is expected


def test_text_is_not_turned_into_a_boolean_where_a_string_belongs(quick_config):
    cfg = copy.deepcopy(quick_config)
    cfg["data_root"] = "false"
    validate(cfg)
    assert cfg["data_root"] == "false"


def test_memory_check_follows_the_experiment_resources(quick_config):
    """A big net is accepted once its experiment asks for the memory."""
    cfg = copy.deepcopy(quick_config)
    cfg["experiments"]["fp_parity"]["model"]["hidden"] = [20_000, 20_000]  # 4e8 weights: 3 GB with gradients
    with pytest.raises(ConfigError, match="mem_mb = 2000"):
        validate(cfg)
    cfg["experiments"]["fp_parity"]["resources"] = {"mem_mb": 8000}
    validate(cfg)


# -- files: YAML problems and where a bad key is


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


QUICK_TEXT = (ROOT / "config" / "config.yaml").read_text()


@pytest.fixture
def folders(tmp_path):
    """A copy of every experiment folder's config side (config.yaml, schema.yaml, checks.py), to
    edit: ``load_and_validate(..., folder=folders)`` reads it instead of the package's."""
    copy_root = tmp_path / "experiments"
    for source in EXPERIMENTS.glob("*/schema.yaml"):
        target = copy_root / source.parent.name
        target.mkdir(parents=True)
        for name in ("config.yaml", "schema.yaml", "checks.py"):
            if (source.parent / name).is_file():
                shutil.copy(source.parent / name, target / name)
    return copy_root


def _edit(folders, experiment, old, new, after="quick:"):
    """Replace the first ``old`` after ``after`` in the copy of ``experiment``'s config.yaml with
    ``new``; the file and the 1-based line of the edit."""
    path = folders / experiment / "config.yaml"
    text = path.read_text()
    start = text.index(old, text.index(after))
    path.write_text(text[:start] + new + text[start + len(old) :])
    return path, text.count("\n", 0, start) + 1


@pytest.mark.parametrize(
    "broken,line,words",
    [
        (QUICK_TEXT.replace("gpu: 0}\n", "gpu: 0\n", 1), None, ["YAML syntax error", "flow mapping"]),
        (QUICK_TEXT.replace("  progress: true\n", "\tprogress: true\n"), "progress", ["YAML syntax error", "'\\t'"]),
        (
            QUICK_TEXT.replace("  progress: true\n", "  progress: true\n  progress: false\n"),
            "progress: false",
            ["key train.progress is given twice", "delete one"],
        ),
    ],
    ids=["bracket", "tab", "duplicate"],
)
def test_yaml_problems_name_file_and_line(tmp_path, broken, line, words):
    path = _write(tmp_path, "broken.yaml", broken)
    lines = broken.splitlines()
    expected = lines.index(next(text for text in lines if line in text)) + 1 if line else None
    with pytest.raises(ConfigError) as error:
        load_and_validate([path])
    message = str(error.value)
    assert message.startswith(f"{path}:{expected if expected else ''}"), message
    for word in words:
        assert word in message, message


def test_missing_and_empty_files_are_refused_without_traceback(tmp_path):
    with pytest.raises(ConfigError, match="config file .*nope.yaml not found"):
        load_and_validate([tmp_path / "nope.yaml"])
    with pytest.raises(ConfigError, match="the file is empty"):
        load_and_validate([_write(tmp_path, "empty.yaml", "# nothing\n")])
    with pytest.raises(ConfigError, match="expected a YAML mapping"):
        load_and_validate([_write(tmp_path, "list.yaml", "- 1\n- 2\n")])


def test_a_bad_key_is_reported_at_its_line(folders):
    """In an experiment folder's config.yaml: that file, the line in the scale's section."""
    path, line = _edit(folders, "fp1d_snapshots", "lr: 2.0e-4", "lr: 1e-4")
    with pytest.raises(ConfigError) as error:
        load_and_validate([ROOT / "config" / "config.yaml"], folder=folders)
    assert str(error.value).startswith(f"{path}:{line}: invalid config: experiments.fp1d_snapshots.optimizer.lr")
    assert "write 1.0e-4" in str(error.value)


def test_later_files_override_earlier_ones_and_command_line_values_name_the_setting(tmp_path):
    override = _write(tmp_path, "override.yaml", "device: cpu\nexperiments:\n  fp_parity:\n    dim: 99\n")
    with pytest.raises(ConfigError) as error:
        load_and_validate([ROOT / "config" / "config.yaml", override])
    assert str(error.value).startswith(f"{override}:4: invalid config: experiments.fp_parity.dim")
    config, _ = read_config_file(ROOT / "config" / "config.yaml")
    config["device"] = "tpu"  # as `--config device=tpu` would set it
    with pytest.raises(ConfigError, match=r"^--config device=tpu: invalid config: device:"):
        load_and_validate([ROOT / "config" / "config.yaml"], config)


def test_a_misspelt_key_is_unknown_with_the_key_meant(folders):
    """log_every is required: its misspelling is reported once, as unknown, not as log_every missing."""
    path, line = _edit(folders, "fp1d_step", "\n  log_every:", "\n  log_evry:")
    line += 1
    with pytest.raises(ConfigError) as error:
        load_and_validate([ROOT / "config" / "config.yaml"], folder=folders)
    assert error.value.problems == [str(error.value)]
    assert str(error.value).startswith(
        f"{path}:{line}: invalid config: experiments.fp1d_step.log_evry: unknown key 'log_evry' (did you mean 'log_every'?)"
    )
    assert "missing" not in str(error.value)


def test_every_problem_is_reported_at_once_in_file_order(tmp_path, folders):
    """The top-level file's keys first, then the experiments in their folders' order, each in
    its own file's order, each at its own file and line."""
    top = _write(tmp_path, "several.yaml", QUICK_TEXT.replace("device: auto", "device: gpu"))
    device = QUICK_TEXT.splitlines().index("device: auto") + 1
    misspelt = _edit(folders, "fp1d_step", "\n  log_every:", "\n  log_evry:")
    renamed = _edit(folders, "fp1d_equal_amp", "\n  steps:", "\n  stepz:")
    snapshots = _edit(folders, "fp1d_snapshots", "snapshot_steps: [0, 300, 2000]", "snapshot_steps: [0, 300, 5000]")
    window = _edit(folders, "fp1d_step", "window: 10,", "window: 1000,")
    with pytest.raises(ConfigError) as error:
        load_and_validate([top], folder=folders)
    problems = error.value.problems
    assert str(error.value) == "\n".join([f"{len(problems)} problems in the config:", *(f"  {p}" for p in problems)])
    expected = [
        ((top, device), "device: 'gpu' is not allowed"),
        ((renamed[0], renamed[1] + 1), "experiments.fp1d_equal_amp.stepz: unknown key 'stepz' (did you mean 'steps'?)"),
        (snapshots, "experiments.fp1d_snapshots.snapshot_steps.2: 5000 is beyond steps = 2000"),  # a rule across keys
        (
            (misspelt[0], misspelt[1] + 1),
            "experiments.fp1d_step.log_evry: unknown key 'log_evry' (did you mean 'log_every'?)",
        ),
    ]
    assert len(problems) == len(expected), problems
    for problem, ((path, line), words) in zip(problems, expected):
        assert problem.startswith(f"{path}:{line}: invalid config: {words}"), problem
    # The window rule reads fp1d_step's log_every: it runs once the schema accepts that block.
    _edit(folders, "fp1d_step", "\n  log_evry:", "\n  log_every:")
    with pytest.raises(ConfigError) as error:
        load_and_validate([top], folder=folders)
    assert f"{window[0]}:{window[1]}: invalid config: experiments.fp1d_step.spectrum.window: 1000" in str(error.value)


def test_a_top_level_override_is_reported_at_its_own_line(tmp_path):
    """An ``experiments.<id>`` entry in a top-level file overrides the folder's key: a problem in
    it names that file and line."""
    text = QUICK_TEXT + "experiments:\n  fp1d_step:\n    steps: -5\n"
    path = _write(tmp_path, "override.yaml", text)
    with pytest.raises(ConfigError) as error:
        load_and_validate([path])
    assert str(error.value).startswith(f"{path}:{len(text.splitlines())}: invalid config: experiments.fp1d_step.steps")


def test_a_long_list_of_problems_is_cut_with_a_count(quick_config):
    cfg = copy.deepcopy(quick_config)
    names = list(cfg["experiments"])[: MAX_SHOWN + 3]
    for name in names:
        cfg["experiments"][name]["seedz"] = [0]
    with pytest.raises(ConfigError) as error:
        validate(cfg)
    lines = str(error.value).splitlines()
    assert len(error.value.problems) == len(names)
    assert lines[0] == f"{len(names)} problems in the config:"
    assert lines[1:-1] == [f"  {p}" for p in error.value.problems[:MAX_SHOWN]]
    assert lines[-1] == "  and 3 more, listed once these are fixed"


@pytest.mark.parametrize(
    "key,value,setting,words",
    [
        (
            "experiments",
            "fp1d_step",
            "experiments=fp1d_step",
            ["experiments: expected object", "--config 'only=[fp1d_step]'", "python3 run.py figures fp1d_step"],
        ),
        ("device", "gpu", "device=gpu", ["did you mean 'cuda'"]),
        ("rehearsal", 0, "rehearsal=0", ["rehearsal: 0 must be >= 1"]),
        # Snakemake reads the values inside a --config mapping as text; they are typed as in a file
        (
            "train",
            {"resources": {"mem_mb": "50"}},
            "train={resources: {mem_mb: 50}}",
            ["train.resources.mem_mb: 50 must be >= 100"],
        ),
    ],
)
def test_a_command_line_value_names_its_setting_not_a_file(key, value, setting, words):
    """As Snakemake passes it: its ``config`` is the files merged with the --config values."""
    config, _ = read_config_file(ROOT / "config" / "config.yaml")
    if isinstance(value, dict):
        config[key]["resources"].update(value["resources"])
    else:
        config[key] = value
    with pytest.raises(ConfigError) as error:
        load_and_validate([ROOT / "config" / "config.yaml"], config)
    message = str(error.value)
    assert message.startswith(f"--config {setting}: invalid config: "), message
    for word in words:
        assert word in message, message


def test_numbers_inside_a_command_line_mapping_are_numbers():
    config, _ = read_config_file(ROOT / "config" / "config.yaml")
    config["train"]["resources"]["mem_mb"] = "4000"  # --config 'train={resources: {mem_mb: 4000}}'
    load_and_validate([ROOT / "config" / "config.yaml"], config)
    assert config["train"]["resources"]["mem_mb"] == 4000


def test_a_missing_top_level_key_names_the_file(tmp_path):
    path = _write(tmp_path, "no_device.yaml", QUICK_TEXT.replace("device: auto\n", ""))
    with pytest.raises(ConfigError, match=rf"^{path}: invalid config: \(top level\): missing key 'device': add it"):
        load_and_validate([path])


def test_command_line_check(tmp_path, capsys):
    """``python -m fprinciple.config FILE...`` (run.py check): 0 valid, 1 invalid, 2 no such file."""
    paper = str(ROOT / "config" / "paper.yaml")
    assert main([paper]) == 0
    assert (
        capsys.readouterr().out
        == f"{paper}: valid (scale paper, {len(load_config('paper.yaml')['experiments'])} experiments)\n"
    )
    assert main([str(ROOT / "config" / "config.yaml"), paper]) == 0
    assert "paper.yaml (merged in this order): valid (scale paper" in capsys.readouterr().out
    bad = _write(tmp_path, "bad.yaml", QUICK_TEXT.replace("device: auto", "device: tpu").replace("false", "maybe"))
    assert main([str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ConfigError: 2 problems in the config:\n") and err.count(f"  {bad}:") == 2, err
    assert main([str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ConfigError: config file {tmp_path / 'nope.yaml'} not found") and err.count("\n") == 1, err
    assert "config/paper.yaml" in err


def test_command_line_check_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "fprinciple.config", "--help"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "usage: python -m fprinciple.config" in result.stdout


# -- the schema: one file per experiment


def test_every_experiment_has_its_own_schema_file():
    schema = assemble_schema()
    assert sorted(schema["properties"]["experiments"]["properties"]) == sorted(experiment_schemas())
    assert sorted(experiment_schemas()) == sorted(load_config()["experiments"])


def test_a_new_folder_adds_an_experiment(tmp_path, folders):
    """An experiment is a folder: its schema.yaml joins the config schema, its config.yaml section
    for the scale joins the config, and a problem in it points to the folder's README.md."""
    top = ROOT / "config" / "config.yaml"
    toy = folders / "toy"
    toy.mkdir()
    (toy / "schema.yaml").write_text(
        "type: object\nadditionalProperties: false\nrequired: [seeds]\n"
        "properties: {seeds: {$ref: '#/$defs/seeds'}, size: {$ref: '#/$defs/toy_size'}}\n"
        "$defs: {toy_size: {type: object, properties: {n: {type: integer, minimum: 5, default: 7}, m: {type: integer}}}}\n"
    )
    (toy / "config.yaml").write_text("quick:\n  seeds: [0]\n  size: {n: 3}\nsmoke:\n  seeds: [0]\n")
    with pytest.raises(ConfigError, match=r"experiments\.toy\.size\.n: 3 must be >= 5 .*experiments/toy/README\.md"):
        load_and_validate([top], folder=folders)
    (toy / "config.yaml").write_text("quick:\n  seeds: [0]\n  size: {m: 1}\n")
    config = load_and_validate([top], folder=folders)
    assert config["experiments"]["toy"] == {"seeds": [0], "size": {"m": 1, "n": 7}}  # the schema's default filled in
    assert "toy" not in load_and_validate([ROOT / "config" / "smoke.yaml"], folder=folders)["experiments"]
    (toy / "schema.yaml").write_text("type: object\n$defs: {seeds: {type: integer}}\n")
    with pytest.raises(ValueError, match=r"toy/schema.yaml: \$defs.seeds clashes"):
        assemble_schema(folder=folders)


def test_split_sizes_match_the_data():
    from sklearn.datasets import load_digits

    assert sum(SPLIT_SIZES["digits"]) == len(load_digits().target)


@needs_mnist
def test_split_sizes_match_mnist_files():
    for split, name in enumerate(["train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"]):
        header = (MNIST_RAW / name).read_bytes()[:8]
        assert int.from_bytes(header[4:8], "big") == SPLIT_SIZES["mnist"][split]


@pytest.mark.smoke
def test_snakemake_stops_before_any_job(tmp_path, quick_config):
    """One clean message (no traceback) from the workflow itself, naming the file's line and the
    command line's setting; `--config download=false` (lowercase, passed as text) is accepted."""
    cfg = copy.deepcopy(quick_config)
    cfg["experiments"]["fp1d_step"]["model"]["activation"] = "relu6"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(cfg))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--cores",
            "1",
            "--configfile",
            str(bad),
            "--config",
            "download=false",
            "device=gpu",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "ConfigError: 2 problems in the config:" in output, output
    assert "--config device=gpu: invalid config: device: 'gpu' is not allowed" in output, output
    assert "did you mean 'cuda'" in output, output
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if text.strip() == "activation: relu6")
    assert f"{bad}:{line}: invalid config: experiments.fp1d_step.model.activation: 'relu6' is not allowed" in output, (
        output
    )
    assert "Traceback" not in output, output


def test_defaults_follow_refs_and_the_branch_a_condition_picks():
    """Schema defaults fill what a block leaves out, through $ref and the if/then a key selects,
    never over a value the config gives."""
    root = {
        "$defs": {
            "net": {
                "type": "object",
                "properties": {"kind": {"enum": ["dnn", "cnn"]}, "bias": {"type": "boolean", "default": True}},
                "if": {"properties": {"kind": {"const": "cnn"}}},
                "then": {"properties": {"init": {"default": "pytorch"}}},
                "else": {"properties": {"init": {"default": "fan_in"}}},
            }
        },
        "properties": {"nets": {"type": "array", "items": {"$ref": "#/$defs/net"}}},
    }
    config = {"nets": [{"kind": "dnn"}, {"kind": "cnn"}, {"kind": "cnn", "init": "xavier_uniform", "bias": False}]}
    _fill_defaults(config, [root], root)
    assert config["nets"] == [
        {"kind": "dnn", "bias": True, "init": "fan_in"},
        {"kind": "cnn", "bias": True, "init": "pytorch"},
        {"kind": "cnn", "init": "xavier_uniform", "bias": False},
    ]
