"""Time and peak memory of the Gaussian filtering method on MNIST-sized data.

    python benchmarks/bench_filter.py --n 5000 10000 [--deltas 3 7] [--budget-gib 1] [--device cpu]

Uses the first ``n`` real MNIST training images (``--mnist-root``) (pixels in [0, 1], one-hot labels as target) when the
raw idx files are present, random data of the same shape otherwise. For each ``n`` it reports
the one-off set-up (pairwise distances), the first ``errors`` call (filters target and
residual) and a later call (target cached: what every training log pays), with the peak memory
above the level before set-up: resident-set high-water mark on the CPU (Linux), allocator peak
on CUDA.
"""

from __future__ import annotations

import argparse
import gc
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch

from fprinciple import datasets
from fprinciple.spectral.filtering import GaussianFilter

MNIST_ROOT = Path(__file__).resolve().parents[1] / "data"  # the checkout's data/, as in config/paper.yaml


def load_data(n: int, root: Path) -> tuple[np.ndarray, np.ndarray, str]:
    """The first ``n`` MNIST training images and their one-hot labels; random data without MNIST."""
    try:
        dataset = datasets.load("mnist", root=root)
    except datasets.DatasetError:
        rng = np.random.default_rng(0)
        return rng.random((n, 784)), np.eye(10)[rng.integers(0, 10, n)], "random"
    return dataset.x[:n].astype(np.float64), np.eye(10)[dataset.y[:n]], "MNIST"


class PeakMemory:
    """Peak memory (bytes) above the level at entry."""

    def __init__(self, device: torch.device) -> None:
        self.device = device

    def __enter__(self) -> PeakMemory:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self.start = torch.cuda.memory_allocated(self.device)
        else:
            Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
            self.start = self._status("VmRSS")
        return self

    def __exit__(self, *exc) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            self.peak = torch.cuda.max_memory_allocated(self.device) - self.start
        else:
            self.peak = self._status("VmHWM") - self.start

    @staticmethod
    def _status(field: str) -> int:
        line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
        return int(line.split()[1]) * 1024


def timed(fn, device: torch.device):
    start = time.perf_counter()
    result = fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument("--deltas", type=float, nargs="+", default=[3.0, 7.0])
    parser.add_argument("--budget-gib", type=float, default=1.0)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--mnist-root", type=Path, default=MNIST_ROOT, help="folder holding MNIST/raw/")
    parser.add_argument("--tiny", action="store_true", help="n = 100, one width: seconds (tests/test_benchmarks.py)")
    args = parser.parse_args()
    if args.tiny:
        args.n, args.deltas = [100], [3.0]
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"device={device} threads={torch.get_num_threads()} deltas={args.deltas} budget={args.budget_gib} GiB")
    for n in args.n:
        x, y, source = load_data(n, args.mnist_root)
        x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
        output = 0.8 * y + 0.02 * torch.randn(y.shape, generator=torch.Generator().manual_seed(1)).to(device)
        budget = int(args.budget_gib * 2**30)
        with PeakMemory(device) as memory:
            filt, t_setup = timed(partial(GaussianFilter, x, args.deltas, memory_budget=budget, device=device), device)
            errors, t_first = timed(partial(filt.errors, y, output), device)
            _, t_cached = timed(partial(filt.errors, y, output), device)
        summary = ", ".join(f"delta={d:g}: e_low={lo:.4f} e_high={hi:.4f}" for d, (lo, hi) in errors.items())
        print(
            f"n={n} ({source}) strategy={filt.strategy} chunk={filt.chunk_size} dtype={filt.dtype}: "
            f"setup {t_setup:.2f} s, first errors {t_first:.2f} s, cached-target errors {t_cached:.2f} s, "
            f"peak +{memory.peak / 2**20:.0f} MiB\n    {summary}"
        )
        del filt, x, y, output
        gc.collect()


if __name__ == "__main__":
    main()
