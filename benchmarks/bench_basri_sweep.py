"""Cost of the Basri et al. learning-time sweeps (basri_shallow_1d).

1. Batched ensemble vs one run at a time on the same device: time per member-update of the
   paper's two-layer net (m = 4000, n = 1001) with E members in one batch vs E = 1.
2. Paper scale on this machine, extrapolated: time per GD update (one member, m = 4000) times
   the number of updates the paper-scale sweep needs. That count is measured on a slice (one
   seed, k in --slice-ks, both nets, with the paper's caps), interpolated over k = 1..30 by the
   fitted power law, times 30 seeds; odd k ≥ 3 without bias always run to the cap of 1800.

    python benchmarks/bench_basri_sweep.py [--device cpu|cuda] [--members 1 10 30] [--slice-ks 8 16 30]
"""

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import torch

from fprinciple.config import load_and_validate
from fprinciple.engines.sweep import batch_size
from fprinciple.experiments.basri_shallow_1d import run as circle
from fprinciple.models import basri_shallow
from fprinciple.training import RunContext
from fprinciple.training.ensemble import LearningTimeSpec, learning_times

ROOT = Path(__file__).resolve().parents[1]


def update_time(
    device: torch.device, members: int, bias: bool, width: int = 4000, n: int = 1001, updates: int = 30
) -> float:
    """Seconds per member-update of GD on `members` nets trained as one batch."""
    gens = [torch.Generator().manual_seed(i) for i in range(members)]
    model = basri_shallow(gens, 2, width, 2.5 if bias else 1.0, bias).to(device)
    theta = torch.rand(members, n, device=device) * 2 * torch.pi - torch.pi
    x = torch.stack([theta.cos(), theta.sin()], dim=2)
    y = torch.sin(5 * theta) / (n / 2) ** 0.5
    ctx = RunContext(device=device, progress=False)
    spec = LearningTimeSpec(lr=0.01, cap=updates, threshold=0.0, log_every=10**9)  # never learned: run the cap
    learning_times(model, x, y, LearningTimeSpec(lr=0.01, cap=3, threshold=0.0), ctx)  # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    learning_times(model, x, y, spec, ctx)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / (updates * members)


def paper_updates(ks: list[int], device: torch.device, config: Path) -> dict[str, float]:
    """GD updates of the config's sweep per net, from a one-seed slice at the listed k."""
    cfg = copy.deepcopy(load_and_validate([config])["experiments"]["basri_shallow_1d"])
    seeds = len(cfg["seeds"])
    cfg["seeds"], cfg["k_per_job"] = [0], 1
    ctx = RunContext(device=device, progress=False)
    totals = {}
    for name, net in cfg["nets"].items():
        measured = {}
        for k in ks:
            variant = {"net": name, "ks": [k], "seeds": [0]}
            records = circle.run(cfg, variant, ctx).records
            measured[k] = float(records[records["metric"] == "learning_time"]["value"].iloc[0])
            outcome = f"learned after {measured[k]:.0f} updates" if np.isfinite(measured[k]) else "not learned"
            print(f"  slice {name} k={k}: {outcome} (cap {net['cap']})")
        learned = {k: t for k, t in measured.items() if np.isfinite(t)}
        all_k = np.arange(1, cfg["k_max"] + 1)
        if len(learned) < 2:  # no power law to fit: every k may run to the cap
            print(f"  {name}: fewer than two k learned in the slice; counting the cap for every k")
            per_seed = np.full(len(all_k), float(net["cap"]))
        else:
            slope, intercept = np.polyfit(np.log(list(learned)), np.log(list(learned.values())), 1)
            per_seed = np.exp(intercept) * all_k.astype(float) ** slope
        if not net["bias"]:
            per_seed = np.where((all_k % 2 == 1) & (all_k >= 3), net["cap"], per_seed)
        totals[name] = float(np.minimum(per_seed, net["cap"]).sum() * seeds)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--members", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--slice-ks", type=int, nargs="+", default=[8, 16, 30])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--tiny", action="store_true", help="small nets, config/smoke.yaml's slice: seconds (tests/test_benchmarks.py)"
    )
    args = parser.parse_args()
    config, sizes = ROOT / "config" / "paper.yaml", {}
    if args.tiny:
        args.members, args.slice_ks = [1, 2], [1, 2, 3]
        config, sizes = ROOT / "config" / "smoke.yaml", {"width": 64, "n": 33, "updates": 3}
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(
        f"device {device}, {args.threads} thread(s); auto ensemble mode trains {batch_size('auto', device, 30)} of 30 members at once"
    )
    per_update = {}
    for bias in (False, True):
        for members in args.members:
            per_update[bias, members] = update_time(device, members, bias, **sizes)
            speedup = per_update[bias, 1] / per_update[bias, members]
            print(
                f"bias={bias!s:5} E={members:3}: {1e3 * per_update[bias, members]:.2f} ms per member-update "
                f"(batched speed-up over E=1: {speedup:.2f}x)"
            )
    updates = paper_updates(args.slice_ks, device, config)
    best = {bias: min(per_update[bias, m] for m in args.members) for bias in (False, True)}
    hours = {name: updates[name] * best[name == "bias"] / 3600 for name in updates}
    for name in updates:
        print(
            f"{config.stem}-scale basri_shallow_1d, net {name}: {updates[name]:.3g} member-updates "
            f"≈ {hours[name]:.1f} h on one {device.type} worker (extrapolated)"
        )
    print(f"total ≈ {sum(hours.values()):.1f} h (divide by the number of parallel workers)")


if __name__ == "__main__":
    main()
