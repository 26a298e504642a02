"""Tests for fprinciple.datasets: real MNIST, CIFAR-10 on fixture files, stand-ins, torchvision shim."""

import hashlib
import pickle
import pickletools
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fprinciple.datasets import NAMES, DatasetError, load, load_cifar10, load_mnist, mnist, prepare
from fprinciple.datasets._torchvision import import_torchvision
from fprinciple.datasets.standins import load_camera, load_cifar_standin, load_digits_as_mnist

from .conftest import MNIST_RAW, MNIST_ROOT, needs_mnist

# Class counts of the real MNIST training and test sets.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# --- real MNIST -------------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist_train():
    return load_mnist(MNIST_ROOT, train=True)


@needs_mnist
def test_mnist_train_shapes_range_mean_and_counts(mnist_train):
    x, y = mnist_train
    assert x.shape == (60000, 784) and x.dtype == np.float32
    assert y.shape == (60000,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert x.mean() == pytest.approx(0.1307, abs=1e-4)
    assert np.bincount(y).tolist() == TRAIN_COUNTS
    file_labels = np.fromfile(MNIST_RAW / "train-labels-idx1-ubyte", dtype=np.uint8, offset=8)
    assert np.bincount(y[:1000], minlength=10).tolist() == np.bincount(file_labels[:1000], minlength=10).tolist()


@needs_mnist
def test_mnist_test_split():
    x, y = load_mnist(MNIST_ROOT, train=False)
    assert x.shape == (10000, 784)
    assert np.bincount(y).tolist() == TEST_COUNTS


@needs_mnist
def test_mnist_subsample_is_seeded_nested_subset(mnist_train):
    x_full, _ = mnist_train
    x, y = load_mnist(MNIST_ROOT, train=True, n=500, seed=1)
    x_again, _ = load_mnist(MNIST_ROOT, train=True, n=500, seed=1)
    x_small, _ = load_mnist(MNIST_ROOT, train=True, n=100, seed=1)
    x_other, _ = load_mnist(MNIST_ROOT, train=True, n=500, seed=2)
    assert x.shape == (500, 784) and y.shape == (500,)
    np.testing.assert_array_equal(x, x_again)
    assert not np.array_equal(x, x_other)
    rows = {row.tobytes() for row in x}
    assert {row.tobytes() for row in x_small} <= rows  # same seed: the smaller subset lies inside the larger
    assert rows <= {row.tobytes() for row in x_full}


def _copy_raw(tmp_path: Path) -> Path:
    """tmp_path/MNIST/raw with links to the four real files; callers replace one."""
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for source in MNIST_RAW.iterdir():
        (raw / source.name).symlink_to(source)
    return raw


@needs_mnist
def test_mnist_truncated_file_is_named(tmp_path):
    raw = _copy_raw(tmp_path)
    name = "train-images-idx3-ubyte"
    content = (MNIST_RAW / name).read_bytes()[: 16 + 784 * 10 + 7]
    (raw / name).unlink()
    (raw / name).write_bytes(content)
    with pytest.raises(DatasetError, match=name) as info:
        load_mnist(tmp_path, train=True)
    assert "truncated" in str(info.value) and "download: true" in str(info.value)


@needs_mnist
def test_mnist_bad_header_is_named(tmp_path):
    raw = _copy_raw(tmp_path)
    name = "t10k-labels-idx1-ubyte"
    (raw / name).unlink()
    (raw / name).write_bytes(struct.pack(">II", 2051, 3) + bytes(3))
    with pytest.raises(DatasetError, match=f"{name} is not an MNIST IDX file"):
        load_mnist(tmp_path, train=True)


def test_mnist_missing_folder_says_how_to_obtain(tmp_path):
    with pytest.raises(DatasetError) as info:
        load_mnist(tmp_path / "nowhere", train=True)
    message = str(info.value)
    assert "train-images-idx3-ubyte" in message
    assert "download: true" in message and "data_root" in message and "MNIST/raw/" in message


@needs_mnist
def test_mnist_embedded_checksums_are_those_shipped_with_the_data():
    lines = (MNIST_ROOT / "SHA256SUMS").read_text().split("\n")
    shipped = {Path(path).name: digest for digest, path in (line.split() for line in lines if line)}
    assert mnist._SHA256 == shipped


@needs_mnist
def test_prepare_refuses_same_size_corruption_that_load_accepts(tmp_path):
    raw = _copy_raw(tmp_path)
    name = "t10k-images-idx3-ubyte"
    content = np.fromfile(MNIST_RAW / name, dtype=np.uint8)
    content[16 : 16 + 5000 * 784] = np.random.default_rng(0).integers(0, 256, 5000 * 784, dtype=np.uint8)
    (raw / name).unlink()
    content.tofile(raw / name)
    assert load_mnist(tmp_path, train=False, n=10)[0].shape == (10, 784)  # the structure is intact
    with pytest.raises(DatasetError, match=f"{name} does not match the published sha256 checksum") as info:
        prepare("mnist", root=tmp_path)
    assert "remove any damaged file and rerun with download: true" in str(info.value)
    assert "data_root" in str(info.value)


# --- CIFAR-10 on fixture files in the on-disk format ----------------------------------


class _Py2Pickler(pickle._Pickler):
    """Stores bytes and str as Python 2 str opcodes, as the cPickle'd original batches do.

    Loaded with encoding="bytes" they come back as bytes, exactly like the real files
    (keys, pixel buffer and numpy's dtype state alike).
    """

    dispatch = pickle._Pickler.dispatch.copy()

    def save_bytes(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    def save_str(self, obj):
        self.save_bytes(obj.encode("latin1"))

    dispatch[bytes] = save_bytes
    dispatch[str] = save_str


def _write_batch(path: Path, data: np.ndarray, labels: list[int]) -> None:
    """Write one batch like the official python release: protocol 2, numpy.core module path."""
    batch = {
        b"batch_label": path.name.encode(),
        b"labels": labels,
        b"data": data,
        b"filenames": [b"x.png"] * len(labels),
    }
    with path.open("wb") as f:
        _Py2Pickler(f, protocol=2).dump(batch)
    path.write_bytes(path.read_bytes().replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n"))


@pytest.fixture
def cifar_root(tmp_path):
    """Five training batches and a test batch of 20 random images each; returns (root, pixels, labels)."""
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    written = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(20, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, size=20).tolist()
        _write_batch(folder / name, data, labels)
        written[name] = (data, labels)
    return tmp_path, written


def test_fixture_pickle_is_python2_style(cifar_root):
    root, _ = cifar_root
    ops = list(pickletools.genops((root / "cifar-10-batches-py" / "test_batch").read_bytes()))
    assert ops[0][0].name == "PROTO" and ops[0][1] == 2
    assert {op.name for op, _, _ in ops}.isdisjoint({"BINUNICODE", "SHORT_BINUNICODE", "BINBYTES", "SHORT_BINBYTES"})
    assert {arg for op, arg, _ in ops if op.name == "GLOBAL"} == {
        "numpy.core.multiarray _reconstruct",
        "numpy ndarray",
        "numpy dtype",
    }


def test_cifar10_shapes_labels_and_pixel_order(cifar_root):
    root, written = cifar_root
    x, y = load_cifar10(root, train=True)
    assert x.shape == (100, 3, 32, 32) and x.dtype == np.float32
    assert y.dtype == np.int64
    assert y.tolist() == sum((written[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    data = written["data_batch_2"][0]  # image 0 of batch 2 is sample 20
    np.testing.assert_array_equal(x[20, 0].ravel(), data[0, :1024] / np.float32(255))  # first 1024 = red
    np.testing.assert_array_equal(x[20, 2, 0, :], data[0, 2048:2080] / np.float32(255))  # blue, top row
    assert x[20, 1, 3, 5] == data[0, 1024 + 3 * 32 + 5] / np.float32(255)  # green, row 3, column 5
    x_test, y_test = load_cifar10(root, train=False, n=5, seed=3)
    assert x_test.shape == (5, 3, 32, 32) and set(y_test) <= set(range(10))


def test_cifar10_corrupt_pickle_is_named(cifar_root):
    root, _ = cifar_root
    path = root / "cifar-10-batches-py" / "data_batch_3"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(DatasetError, match="data_batch_3 is not a readable CIFAR-10 batch"):
        load_cifar10(root, train=True)


def test_cifar10_refuses_code_in_pickle(cifar_root, tmp_path):
    root, _ = cifar_root
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (marker,))

    (root / "cifar-10-batches-py" / "test_batch").write_bytes(pickle.dumps({b"data": Exploit()}))
    with pytest.raises(DatasetError, match="refusing to load"):
        load_cifar10(root, train=False)
    assert not marker.exists()


def test_cifar10_wrong_structure_and_missing_files(cifar_root, tmp_path):
    root, _ = cifar_root
    _write_batch(root / "cifar-10-batches-py" / "test_batch", np.zeros((4, 1024), np.uint8), [0, 1, 2, 3])
    with pytest.raises(DatasetError, match=r"test_batch: b'data' is not a uint8 array"):
        load_cifar10(root, train=False)
    with pytest.raises(DatasetError, match="data_batch_1") as info:
        load_cifar10(tmp_path / "empty", train=True)
    assert "download: true" in str(info.value) and "data_root" in str(info.value)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_prepare_cifar10_checks_torchvision_md5_list(cifar_root, monkeypatch):
    root, written = cifar_root
    folder = root / "cifar-10-batches-py"
    # Random fixture batches are well-formed but not the official release.
    with pytest.raises(DatasetError, match="data_batch_1 does not match the published md5 checksum") as info:
        prepare("cifar10", root=root)
    assert "download: true" in str(info.value) and "data_root" in str(info.value)

    cifar10 = import_torchvision().datasets.CIFAR10
    train_list = [[f"data_batch_{i}", _md5(folder / f"data_batch_{i}")] for i in range(1, 6)]
    monkeypatch.setattr(cifar10, "train_list", train_list)
    monkeypatch.setattr(cifar10, "test_list", [["test_batch", _md5(folder / "test_batch")]])
    assert prepare("cifar10", root=root)["samples"] == {"train": 100, "test": 20}

    data, labels = written["data_batch_4"]
    data = data.copy()
    data[7, 100] ^= 1  # one pixel: same size, still a valid batch
    _write_batch(folder / "data_batch_4", data, labels)
    with pytest.raises(DatasetError, match="data_batch_4 does not match the published md5 checksum"):
        prepare("cifar10", root=root)


# --- offline stand-ins --------------------------------------------------------------


def test_digits_shapes_range_split_and_seed():
    x, y = load_digits_as_mnist()
    assert x.shape == (1500, 64) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert sorted(set(y)) == list(range(10))
    x_test, _ = load_digits_as_mnist(train=False)
    assert x_test.shape == (297, 64)
    a, _ = load_digits_as_mnist(n=100, seed=4)
    b, _ = load_digits_as_mnist(n=100, seed=4)
    c, _ = load_digits_as_mnist(n=100, seed=5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_cifar_standin_shapes_range_balance_and_seed():
    x, y = load_cifar_standin(205, seed=0)
    assert x.shape == (205, 3, 32, 32) and x.dtype == np.float32 and y.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0
    counts = np.bincount(y, minlength=10)
    assert len(counts) == 10 and counts.min() == 20 and counts.max() == 21
    x_again, y_again = load_cifar_standin(205, seed=0)
    np.testing.assert_array_equal(x, x_again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(x, load_cifar_standin(205, seed=1)[0])
    assert not np.array_equal(x, load_cifar_standin(205, seed=0, train=False)[0])
    assert load_cifar_standin(10, size=16)[0].shape == (10, 3, 16, 16)


def test_camera():
    image = load_camera()
    assert image.shape == (512, 512) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0


# --- the single entry point ------------------------------------------------------------


def test_load_offline_names_and_captions():
    digits = load("digits", n=50)
    assert digits.x.shape == (50, 64) and digits.image_shape == (1, 8, 8) and digits.n_classes == 10
    assert "stand-in" in digits.name
    standin = load("cifar_standin", n=20, seed=1)
    assert standin.x.shape == (20, 3 * 32 * 32) and standin.image_shape == (3, 32, 32)
    assert "stand-in for CIFAR-10" in standin.name


@needs_mnist
def test_load_mnist_caption():
    dataset = load("mnist", root=MNIST_ROOT, train=False, n=10)
    assert dataset.name == "MNIST (real)" and dataset.x.shape == (10, 784) and dataset.image_shape == (1, 28, 28)


def test_load_errors():
    with pytest.raises(ValueError, match=", ".join(NAMES)):
        load("imagenet")
    with pytest.raises(DatasetError, match="data_root"):
        load("mnist")
    with pytest.raises(ValueError, match="give n"):
        load("cifar_standin")


# --- torchvision shim ------------------------------------------------------------------------


def test_import_torchvision_builds_vgg16_in_fresh_interpreter():
    code = (
        "from fprinciple.datasets._torchvision import import_torchvision\n"
        "tv = import_torchvision()\n"
        "assert import_torchvision() is tv\n"
        "model = tv.models.vgg16(weights=None)\n"
        "print(type(model).__name__, tv.datasets.MNIST.__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["VGG", "MNIST"]


def test_import_torchvision_in_process():
    assert import_torchvision().transforms.ToTensor is not None


def test_prepare_checks_both_splits_and_names_missing_files(tmp_path):
    summary = prepare("digits")
    assert summary["samples"] == {"train": 1500, "test": 297} and "stand-in" in summary["caption"]
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte"):
        prepare("mnist", root=tmp_path)


@needs_mnist
def test_prepare_real_mnist():
    summary = prepare("mnist", root=MNIST_ROOT)
    assert summary["samples"] == {"train": 60000, "test": 10000} and summary["image_shape"] == [1, 28, 28]
