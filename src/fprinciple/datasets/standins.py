"""Offline stand-ins built from data that ships inside installed packages.

The quick default must run on a fresh machine without internet, so it cannot use
MNIST or CIFAR-10. These are substitutes, not those datasets, and every caption
built from them must say so (see ``fprinciple.datasets.load``).
"""

from functools import lru_cache

import numpy as np
from skimage import color, data, transform, util
from sklearn.datasets import load_digits

from ._common import subsample

_DIGITS_TRAIN = 1500  # of scikit-learn's 1797 digits: the first 1500 train, the last 297 test
_LEVELS = (1.5, 2, 3, 4, 6)  # pyramid short sides, in multiples of the crop size


def load_digits_as_mnist(n: int | None = None, seed: int = 0, train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Real handwritten digits (UCI optdigits via scikit-learn), 8x8 instead of 28x28.

    x is float32 (n, 64) in [0, 1] (grey levels 0-16 divided by 16); y is int64 (n,).
    The train/test split is fixed (first 1500 / last 297) and never depends on ``seed``;
    ``n`` picks a seeded uniform subsample within the split.
    """
    digits = load_digits()
    part = slice(None, _DIGITS_TRAIN) if train else slice(_DIGITS_TRAIN, None)
    x, y = subsample(digits.data[part], digits.target[part], n, seed)
    return (x / 16).astype(np.float32), y.astype(np.int64)


_MNIST_SIDE, _MNIST_DIGIT = 28, 20  # MNIST centres each digit's 20×20 box in a 28×28 image
_MNIST_SHIFT = 2  # pixels each stand-in digit moves at most, in each direction


@lru_cache(maxsize=1)
def _digits_at_mnist_size() -> np.ndarray:
    """All 1797 scikit-learn digits resized (bilinear) to MNIST's 20×20 digit box, in [0, 1]."""
    images = load_digits().images / 16
    return np.clip(transform.resize(images, (len(images), _MNIST_DIGIT, _MNIST_DIGIT), order=1), 0, 1)


def load_mnist_standin(n: int, seed: int = 0, train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``n`` samples of MNIST's shape (NOT MNIST): scikit-learn digits resized to a 20×20 box and
    placed in a 28×28 image, moved by up to ±2 pixels; for running MNIST settings (sizes, nets,
    batches) where MNIST is absent, i.e. for their cost, not their results.

    Train samples are drawn (with repeats, so any ``n``) from the first 1500 digits, test samples
    from the last 297. x is float32 (n, 784) in [0, 1] (row-major 28×28); y is int64 (n,).
    """
    digits, labels = _digits_at_mnist_size(), load_digits().target
    pool = np.arange(_DIGITS_TRAIN) if train else np.arange(_DIGITS_TRAIN, len(digits))
    rng = np.random.default_rng([seed, int(train)])
    chosen = rng.choice(pool, size=n)
    corner = (_MNIST_SIDE - _MNIST_DIGIT) // 2 + rng.integers(-_MNIST_SHIFT, _MNIST_SHIFT + 1, size=(n, 2))
    x = np.zeros((n, _MNIST_SIDE, _MNIST_SIDE), dtype=np.float32)
    for top, left in {tuple(c) for c in corner}:  # one vectorised copy per distinct position
        rows = np.flatnonzero((corner[:, 0] == top) & (corner[:, 1] == left))
        x[rows, top : top + _MNIST_DIGIT, left : left + _MNIST_DIGIT] = digits[chosen[rows]]
    return x.reshape(n, -1), labels[chosen].astype(np.int64)


def _retina() -> np.ndarray:
    """The fundus photograph without its black surround, which would look like hubble's sky."""
    image = data.retina()
    side = int(0.7 * image.shape[0])
    start = (image.shape[0] - side) // 2
    return image[start : start + side, start : start + side]


# Class index = position in this tuple: the ten colour photographs scikit-image bundles.
_SOURCES = (
    data.astronaut,
    data.coffee,
    data.chelsea,
    data.rocket,
    data.hubble_deep_field,
    data.immunohistochemistry,
    _retina,
    data.colorwheel,
    lambda: data.stereo_motorcycle()[0],
    lambda: color.rgba2rgb(data.logo()),  # composited on white
)


@lru_cache(maxsize=2)
def _pyramids(size: int) -> list[list[np.ndarray]]:
    """Each source image resized so its short side is each of ``_LEVELS`` times ``size``.

    Crops from the coarsest level show most of the photograph, from the finest only
    texture, so each class mixes global layout with local detail.
    """
    pyramids = []
    for source in _SOURCES:
        image = util.img_as_float32(source())
        h, w = image.shape[:2]
        shapes = [(round(h * level * size / min(h, w)), round(w * level * size / min(h, w))) for level in _LEVELS]
        # Resizing the smaller levels from the largest rather than the original looks the same
        # and needs far less anti-aliasing work.
        finest = transform.resize(image, shapes[-1], anti_aliasing=True)
        pyramids.append([transform.resize(finest, shape, anti_aliasing=True).astype(np.float32) for shape in shapes])
    return pyramids


def load_cifar_standin(n: int, seed: int = 0, size: int = 32, train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A 10-class colour-image stand-in for CIFAR-10 (NOT CIFAR-10): crops of ten photographs.

    Class k is the k-th photograph in ``_SOURCES``; classes are balanced (counts differ
    by at most one). Each sample is a ``size`` x ``size`` crop at a random pyramid level
    and position, flipped left-right with probability 1/2. x is float32
    (n, 3, size, size) in [0, 1]; y is int64 (n,). Train and test crops come from
    independent random streams of the same ten photographs (there are no held-out
    photographs), so the test split measures generalisation to new crops only.
    """
    rng = np.random.default_rng([seed, int(train)])
    pyramids = _pyramids(size)
    y = rng.permutation(np.arange(n) % len(_SOURCES))
    x = np.empty((n, size, size, 3), dtype=np.float32)
    for i, label in enumerate(y):
        image = pyramids[label][rng.integers(len(_LEVELS))]
        top = rng.integers(image.shape[0] - size + 1)
        left = rng.integers(image.shape[1] - size + 1)
        crop = image[top : top + size, left : left + size]
        x[i] = crop[:, ::-1] if rng.random() < 0.5 else crop
    return x.transpose(0, 3, 1, 2).copy(), y.astype(np.int64)


def load_camera() -> np.ndarray:
    """The 512x512 grey 'cameraman' photograph from scikit-image, float32 in [0, 1]."""
    return util.img_as_float32(data.camera())
