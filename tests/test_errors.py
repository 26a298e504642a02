"""Expected errors (fprinciple.errors.UserError) print their message alone; bugs keep their traceback."""

import subprocess
import sys

import numpy as np
import pytest

from fprinciple.config import ConfigError
from fprinciple.datasets import DatasetError
from fprinciple.errors import UserError
from fprinciple.io import logging_to
from fprinciple.training import TrainingDiverged

from .conftest import MNIST_RAW, ROOT, needs_mnist

MESSAGE = "data/x.bin is corrupt.\nDelete it and rerun with download: true."


@pytest.mark.parametrize(
    ("error", "builtin"), [(ConfigError, ValueError), (DatasetError, Exception), (TrainingDiverged, RuntimeError)]
)
def test_user_error_goes_to_the_log_without_traceback(tmp_path, capsys, error, builtin):
    assert issubclass(error, UserError) and issubclass(error, builtin)
    log = tmp_path / "logs" / "job.log"
    with pytest.raises(SystemExit) as info, logging_to(log):
        print("progress line")
        raise error(MESSAGE)
    assert info.value.code == 1
    assert log.read_text() == f"progress line\n{error.__name__}: {MESSAGE}\n"
    assert capsys.readouterr() == ("", "")  # Snakemake shows the log (show-failed-logs): once is enough


def test_unexpected_error_keeps_its_traceback_in_the_log(tmp_path):
    log = tmp_path / "job.log"
    with pytest.raises(KeyError, match="lr"), logging_to(log):
        {}["lr"]
    text = log.read_text()
    assert text.startswith("Traceback (most recent call last):") and text.rstrip().endswith("KeyError: 'lr'")


def _script(tmp_path, raise_line: str) -> subprocess.CompletedProcess:
    code = (
        "from fprinciple.datasets import DatasetError\n"
        "from fprinciple.io import logging_to\n"
        f"with logging_to({str(tmp_path / 'job.log')!r}):\n"
        f"    {raise_line}\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


def test_script_exits_1_with_the_message_alone_or_with_traceback(tmp_path):
    expected = _script(tmp_path, f"raise DatasetError({MESSAGE!r})")
    assert (expected.returncode, expected.stderr) == (1, "")
    assert (tmp_path / "job.log").read_text() == f"DatasetError: {MESSAGE}\n"
    bug = _script(tmp_path, "raise KeyError('lr')")
    assert bug.returncode == 1
    assert "Traceback" in bug.stderr and "Traceback" in (tmp_path / "job.log").read_text()


def _console(*args: str, cwd) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    return result.returncode, result.stdout + result.stderr


@needs_mnist
@pytest.mark.smoke
def test_corrupt_mnist_in_rule_prepare_data_prints_one_block(tmp_path):
    """The project's rule and script on a copy whose first 5,000 test images are noise (same size)."""
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for source in MNIST_RAW.iterdir():
        (raw / source.name).symlink_to(source)
    name = "t10k-images-idx3-ubyte"
    content = np.fromfile(MNIST_RAW / name, dtype=np.uint8)
    content[16 : 16 + 5000 * 784] = np.random.default_rng(0).integers(0, 256, 5000 * 784, dtype=np.uint8)
    (raw / name).unlink()
    content.tofile(raw / name)
    (tmp_path / "Snakefile").write_text(  # the globals that workflow/rules/common.smk would define
        'config.update(data_root="data", download=False)\nRESULTS, LOGS = "results", "logs"\n'
        f"include: {str(ROOT / 'workflow' / 'rules' / 'data.smk')!r}\n"
    )
    code, output = _console("--cores", "1", "--show-failed-logs", "results/data/mnist.json", cwd=tmp_path)
    assert code == 1
    assert output.count(f"DatasetError: data/MNIST/raw/{name} does not match the published sha256") == 1, output
    assert "Traceback" not in output and not (tmp_path / "results" / "data" / "mnist.json").exists()


@pytest.mark.smoke
def test_invalid_config_prints_one_line_from_snakemake(tmp_path):
    config = ["--configfile", str(ROOT / "config" / "config.yaml"), "--config", "download=maybe"]
    code, output = _console("-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "-n", *config, cwd=ROOT)
    assert code == 1
    assert "Traceback" not in output and 'File "' not in output, output
    assert [
        line
        for line in output.splitlines()
        if line.startswith("ConfigError: --config download=maybe: invalid config: download: ")
    ], output
