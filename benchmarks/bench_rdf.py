"""Time and peak memory of one RDF evaluation (LFR on a whole k0 grid, its derivative and summaries).

    python benchmarks/bench_rdf.py --n 5000 10000 [--width 512] [--grid 50] [--threads 1]

The effective target of XZ20: ``n`` activations of ``--width`` features (ReLU of Gaussian
features: the cost does not depend on the values) and one-hot labels of 10 classes that depend on
them. One evaluation = ``frequency_profile`` on a geometric grid of ``--grid`` values of k0, RMS
normalisation, std convention: what a training log pays per layer. Wall and CPU time (the CPU
time is the better measure on a shared machine: it leaves out the waits for a core, not the cache
contention). Peak memory is measured above the level before the call: resident-set high-water
mark on the CPU (Linux), allocator peak on CUDA.

Measured on the 2-core build machine (shared, 1 thread, ``--grid 40 --k0-range 1 16``, width 512):
n = 5000: 4.7 s CPU, +422 MiB; n = 10000: 19.1 s CPU, +896 MiB (the 1 GiB budget fills the
recompute strategy's row chunks); wall time was 46 s and 177 s under a load of ~10. With
cache-sized row chunks on the CPU, NumPy's exp and the product taken as (C+1, n) @ block.T
(``spectral.filtering``): n = 5000: 3.45 s CPU, +37 MiB; n = 10000: 15.9 s CPU, +58 MiB.
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import numpy as np
import torch

# benchmarks/ is on sys.path when run as a script
from bench_filter import PeakMemory, timed

from fprinciple.spectral.lfr import frequency_profile


def effective_target(n: int, width: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    activations = torch.relu(torch.randn(n, width, generator=generator))
    labels = (activations[:, :10] @ torch.randn(10, 10, generator=generator)).argmax(1)
    return activations.to(device), torch.nn.functional.one_hot(labels, 10).to(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--grid", type=int, default=50, help="number of k0 values")
    parser.add_argument("--k0-range", type=float, nargs=2, default=[0.5, 50.0])
    parser.add_argument("--strategy", default="recompute", help="GaussianFilter strategy")
    parser.add_argument("--budget-gib", type=float, default=1.0)
    parser.add_argument("--dtype", choices=["float32", "float64"], help="default: float64 on CPU, float32 on CUDA")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--tiny", action="store_true", help="n = 100, width 16, 5 values of k0: seconds (tests/test_benchmarks.py)"
    )
    args = parser.parse_args()
    if args.tiny:
        args.n, args.width, args.grid = [100], 16, 5
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    k0 = np.geomspace(*args.k0_range, args.grid)
    dtype = getattr(torch, args.dtype) if args.dtype else None
    print(
        f"device={device} threads={torch.get_num_threads()} width={args.width} grid={args.grid} "
        f"k0 in [{k0[0]:g}, {k0[-1]:g}] strategy={args.strategy} budget={args.budget_gib} GiB"
    )
    for n in args.n:
        x, y = effective_target(n, args.width, device)
        run = partial(
            frequency_profile,
            x,
            y,
            k0,
            strategy=args.strategy,
            memory_budget=int(args.budget_gib * 2**30),
            dtype=dtype,
        )
        cpu_start = time.process_time()
        with PeakMemory(device) as memory:
            profile, seconds = timed(run, device)
        cpu = time.process_time() - cpu_start
        print(
            f"n={n}: {seconds:.2f} s wall, {cpu:.2f} s CPU ({1e3 * seconds / args.grid:.0f} ms per k0), "
            f"peak +{memory.peak / 2**20:.0f} MiB; "
            f"mean k0 {profile.mean_frequency:.3f}, median k0 {profile.median_frequency:.3f}, "
            f"LFR {profile.lfr[0]:.3f} -> {profile.lfr[-1]:.3f}"
        )


if __name__ == "__main__":
    main()
