"""Cost of one GD update of the Basri et al. sweeps: today's autograd update against the fused one
(``training.fused``), beside the arithmetic floor, at the paper's n and m.

1. ms per update (wall, and process CPU beside it) of one member of basri_shallow_1d (S¹, d = 2,
   m = 4000) and basri_shallow_2d (S², d = 3, m = 16,000), n = 1001, with and without bias, for
   the autograd update and the fused one, at 1 and 2 threads. The two alternate in one process
   (A B A B ..., `--rounds` rounds of `--updates` updates) and the median round is reported: the
   machine is shared and noisy, so only medians of interleaved rounds compare. Each case compiles
   afresh, as in its own job.
2. The floor: the update's flops divided by this core's measured rate. Per entry of the n × m
   pre-activation matrix the update does
       forward   x·W: 2d − 1 (d multiplies, d − 1 adds), + b: 1 (bias only),
                 ReLU: 1, ·a summed over units: 2
       gradient  mask × r × a: 3 (compare, two multiplies), xᵀ·g: 2d (d multiply-adds over n),
                 Σ g: 1 (bias only)
   i.e. (4d + 5)·n·m flops without bias and (4d + 7)·n·m with it (the O(n) residual and the
   O(d·m) parameter step are negligible). Two rates, each the best of 10 repeats at the same
   thread count (a neighbour's load only slows a repeat): (a) GEMM, torch.mm of 1024² float32, an
   optimistic floor since the inner dimension here is d ≤ 3; (b) element-wise, a compiled fused
   multiply-add/ReLU/multiply/sum over a 1024 × 4096 broadcast (5 flops an entry; its inputs are
   vectors, so it runs from registers and L1). "fused ÷ floor" is how far the fused update is
   from the arithmetic at that rate.
3. Compile time of the fused update: its first call in a fresh process with an empty Inductor
   cache (TORCHINDUCTOR_CACHE_DIR a new temp dir), then in a second fresh process with that cache.
4. `--identity`: the quick config's basri_shallow_1d trained with `update: fused` and with
   `update: autograd` (every seed, k and net; ≈ 1 min): how many learning times agree.
5. The deep sweep (basri_deep's paper nets, n = 1001, 1 thread): ms per autograd update against a
   torch.compile'd step (forward, loss, backward by torch.func and the SGD step in one graph),
   and its compile time. Measured only: the training code does not use it.

    python benchmarks/bench_basri_sweep.py [--threads 1 2] [--rounds 7] [--updates 10] [--identity]
    python benchmarks/bench_basri_sweep.py --tiny   # smoke sizes, < 1 min of compiling (tests/test_benchmarks.py)
"""

import argparse
import copy
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from fprinciple.config import load_and_validate
from fprinciple.experiments.basri_deep import run as deep
from fprinciple.experiments.basri_shallow_1d import run as circle
from fprinciple.experiments.basri_shallow_2d import run as sphere
from fprinciple.families.sweep import net_loss, net_lr
from fprinciple.training import RunContext, fused
from fprinciple.training.ensemble import _autograd_update, _member_loss

ROOT = Path(__file__).resolve().parents[1]
SHALLOW = {"S1": ("basri_shallow_1d", circle, 2), "S2": ("basri_shallow_2d", sphere, 3)}
K = 8  # the target's frequency: the cost of an update does not depend on it


@functools.cache
def _experiments(config: Path) -> dict:
    return load_and_validate([config])["experiments"]


def experiment(config: Path, name: str) -> dict:
    return copy.deepcopy(_experiments(config)[name])


def as_batch(x, y):
    """One member's data as the (1, n, d) and (1, n) float32 tensors the updates take."""
    return torch.as_tensor(x, dtype=torch.float32)[None], torch.as_tensor(y, dtype=torch.float32)[None]


def shallow_case(config: Path, case: str, bias: bool):
    """One member of the experiment's net (bias or no_bias) and its data, as the sweep builds them."""
    name, module, d = SHALLOW[case]
    cfg = experiment(config, name)
    net = cfg["nets"]["bias" if bias else "no_bias"]
    rng = np.random.default_rng([0, K])
    x, y = as_batch(*module.data(rng, K, cfg))
    model = module.build([torch.Generator().manual_seed(0)], cfg, net)
    return model, x, y, net_lr(cfg, net), net_loss(cfg, net)[0], d, cfg["width"]


def round_time(update, updates: int) -> tuple[float, float]:
    """Wall and process-CPU seconds per update over `updates` consecutive updates."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(updates):
        update()
    return (time.perf_counter() - wall) / updates, (time.process_time() - cpu) / updates


def interleaved(updates_by_name: dict, rounds: int, updates: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds per update of each update, measured in alternating rounds."""
    for update in updates_by_name.values():
        update()  # compiles, warms the caches
    times = {name: [] for name in updates_by_name}
    for _ in range(rounds):
        for name, update in updates_by_name.items():
            times[name].append(round_time(update, updates))
    return {name: tuple(statistics.median(t[i] for t in ts) for i in (0, 1)) for name, ts in times.items()}


def gemm_rate(repeats: int = 10) -> float:
    """flop/s of torch.mm on 1024² float32 at the current thread count: the best of `repeats`, the
    core's rate when no neighbour took it (a loaded machine only slows a repeat down)."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    torch.mm(a, b)
    seconds = [round_time(lambda: torch.mm(a, b), 1)[0] for _ in range(repeats)]
    return 2 * 1024**3 / min(seconds)


@torch.compile
def _fused_elementwise(x, w, b, a):
    return (torch.relu(x[:, None] * w + b) * a).sum(dim=1)  # per entry: mul, add, max, mul, add


def elementwise_rate(rows: int = 1024, cols: int = 4096, repeats: int = 10) -> float:
    """flop/s of a compiled fused multiply-add/ReLU/multiply/sum (5 flops an entry), best of `repeats`."""
    x, w, b, a = torch.randn(rows), torch.randn(cols), torch.randn(cols), torch.randn(cols)
    _fused_elementwise(x, w, b, a)
    seconds = [round_time(lambda: _fused_elementwise(x, w, b, a), 5)[0] for _ in range(repeats)]
    return 5 * rows * cols / min(seconds)


def shallow_flops(n: int, m: int, d: int, bias: bool) -> int:
    """Flops of one GD update of the shallow net (module docstring)."""
    return (4 * d + 5 + 2 * bias) * n * m


def shallow_rows(config: Path, cases: list[str], threads: list[int], rounds: int, updates: int) -> list[list[str]]:
    rows = []
    for t in threads:
        torch.set_num_threads(t)
        torch._dynamo.reset()  # Inductor bakes the thread count into its kernels: compile again for t
        rates = gemm_rate(), elementwise_rate()
        print(f"{t} thread(s): GEMM {rates[0] / 1e9:.1f} GFLOP/s, element-wise {rates[1] / 1e9:.1f} GFLOP/s")
        for case in cases:
            for bias in (False, True):
                torch._dynamo.reset()  # compiled afresh, as in its own job
                model, x, y, lr, loss, d, m = shallow_case(config, case, bias)
                other = copy.deepcopy(model)
                median = interleaved(
                    {
                        "autograd": functools.partial(_autograd_update, model, x, y, None, lr, loss),
                        "fused": functools.partial(fused.gd_update, other, x, y, lr, loss),
                    },
                    rounds,
                    updates,
                )
                (aw, ac), (fw, fc) = median["autograd"], median["fused"]
                floor = [shallow_flops(x.shape[1], m, d, bias) / rate for rate in rates]
                rows.append(
                    [
                        f"{case} d={d} m={m}",
                        "yes" if bias else "no",
                        str(t),
                        f"{1e3 * aw:.2f} ({1e3 * ac:.2f})",
                        f"{1e3 * fw:.2f} ({1e3 * fc:.2f})",
                        f"{aw / fw:.1f}x",
                        f"{1e3 * floor[0]:.3g} / {1e3 * floor[1]:.3g}",
                        f"{fw / floor[0]:.1f}x / {fw / floor[1]:.1f}x",
                    ]
                )
                print("  " + " | ".join(rows[-1]), flush=True)
    return rows


def deep_step(model, lr: float, loss: str):
    """A compiled GD step of `model` (forward, loss, backward, SGD in one graph), run in place."""

    def total(params, x, y):
        values = _member_loss(loss, torch.func.functional_call(model, params, (x,)), y)
        return values.sum(), values

    @torch.compile
    def step(params, x, y):
        grads, (_, values) = torch.func.grad_and_value(total, has_aux=True)(params, x, y)
        return values, {name: p - lr * grads[name] for name, p in params.items()}

    def update(x, y):
        params = {name: p.detach() for name, p in model.named_parameters()}
        values, new = step(params, x, y)
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(new[name])
        return values

    return update


def deep_case(config: Path, net_name: str):
    cfg = experiment(config, "basri_deep")
    net = cfg["nets"][net_name]
    x, y = as_batch(*deep.data(np.random.default_rng([0, K]), K, cfg, net))
    model = deep.build([torch.Generator().manual_seed(0)], cfg, net)
    return model, x, y, net_lr(cfg, net), net_loss(cfg, net)[0], net["hidden"]


def deep_rows(config: Path, nets: list[str], rounds: int, updates: int) -> list[list[str]]:
    torch.set_num_threads(1)
    rows = []
    for net_name in nets:
        torch._dynamo.reset()
        model, x, y, lr, loss, hidden = deep_case(config, net_name)
        other = copy.deepcopy(model)
        step = deep_step(other, lr, loss)
        median = interleaved(
            {
                "autograd": functools.partial(_autograd_update, model, x, y, None, lr, loss),
                "compiled": functools.partial(step, x, y),
            },
            rounds,
            updates,
        )
        (aw, ac), (cw, cc) = median["autograd"], median["compiled"]
        rows.append(
            [
                f"{net_name} {len(hidden)}x{hidden[0]} n={x.shape[1]} {loss}",
                f"{1e3 * aw:.2f} ({1e3 * ac:.2f})",
                f"{1e3 * cw:.2f} ({1e3 * cc:.2f})",
                f"{aw / cw:.2f}x",
            ]
        )
        print("  " + " | ".join(rows[-1]), flush=True)
    return rows


def first_call(config: Path, case: str) -> None:
    """Run in a fresh process (compile_times): print the seconds of the first update of `case`."""
    torch.set_num_threads(1)
    if case == "deep":
        model, x, y, lr, loss, _ = deep_case(config, "plain")
        update = deep_step(model, lr, loss)
        start = time.perf_counter()
        update(x, y)
    else:
        model, x, y, lr, loss, *_ = shallow_case(config, case, bias=True)
        start = time.perf_counter()
        fused.gd_update(model, x, y, lr, loss)
    print(f"{time.perf_counter() - start:.3f}")


def compile_times(config: Path, cases: list[str]) -> list[list[str]]:
    """Seconds of the first call with an empty Inductor cache, then with that cache filled."""
    rows = []
    for case in cases:
        with tempfile.TemporaryDirectory() as cache:
            env = os.environ | {"TORCHINDUCTOR_CACHE_DIR": cache, "OMP_NUM_THREADS": "1"}
            command = [sys.executable, __file__, "--config", str(config), "--first-call", case]
            seconds = [
                float(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.split()[-1])
                for _ in ("empty", "cached")
            ]
        rows.append([case + (" plain" if case == "deep" else " bias"), f"{seconds[0]:.1f}", f"{seconds[1]:.1f}"])
    return rows


def identity() -> None:
    """The quick basri_shallow_1d's learning times (every seed, k and net) with update fused and
    autograd, compared: equal, or a loss within rounding of the threshold crossing it one update apart."""
    cfg = experiment(ROOT / "config" / "config.yaml", "basri_shallow_1d")
    torch.set_num_threads(1)
    torch._dynamo.reset()  # compiled afresh, as in its job
    times = {}
    for update in ("autograd", "fused"):
        cfg["update"] = update
        start = time.perf_counter()
        values = []
        for net in cfg["nets"]:
            variant = {"net": net, "ks": list(range(1, cfg["k_max"] + 1)), "seeds": cfg["seeds"]}
            records = circle.run(cfg, variant, RunContext()).records
            trained = records[(records["metric"] == "learning_time") & (records["learner"] == "trained")]
            values.append(trained.sort_values(["seed", "k"])["value"].to_numpy())
        times[update] = np.concatenate(values)
        print(f"  update {update}: {time.perf_counter() - start:.0f} s")
    a, f = times["autograd"], times["fused"]
    learned = ~np.isnan(a) & ~np.isnan(f)
    delta = np.abs(a[learned] - f[learned])
    print(
        f"identity (quick basri_shallow_1d, seeds {cfg['seeds']}, both nets): {len(a)} learning times, "
        f"{int(learned.sum())} learned by both; {int((delta == 0).sum() + (np.isnan(a) & np.isnan(f)).sum())} "
        f"identical, {int((delta == 1).sum())} differ by one update, max |Δ| {delta.max(initial=0):.0f}; "
        f"not learned (NaN) by one only: {int((np.isnan(a) != np.isnan(f)).sum())}"
    )


def table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--updates", type=int, default=10, help="updates per round")
    parser.add_argument("--identity", action="store_true", help="compare the learning times (≈ 1 min)")
    parser.add_argument("--tiny", action="store_true", help="config/smoke.yaml's sizes, one case each: < 1 min")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "paper.yaml", help=argparse.SUPPRESS)
    parser.add_argument("--first-call", help=argparse.SUPPRESS)  # the fresh process of compile_times
    args = parser.parse_args()
    if args.first_call:
        return first_call(args.config, args.first_call)
    cases, deep_nets = list(SHALLOW), list(experiment(args.config, "basri_deep")["nets"])
    if args.tiny:  # one case of each part
        args.config, args.rounds, args.updates, args.threads = ROOT / "config" / "smoke.yaml", 2, 2, [1]
        cases, deep_nets = ["S1"], ["plain"]
    with open("/proc/loadavg") as f:
        print(f"config {args.config.name}, load average {f.read().split()[0]} on {os.cpu_count()} cores")
    print("ms per update, median of interleaved rounds (wall, CPU in brackets); floor = flops ÷ (GEMM / element-wise)")
    rows = shallow_rows(args.config, cases, args.threads, args.rounds, args.updates)
    table(
        ["net", "bias", "threads", "autograd ms", "fused ms", "speed-up", "floor ms", "fused ÷ floor"],
        rows,
    )
    print("deep sweep (basri_deep), 1 thread:")
    table(
        ["net", "autograd ms", "compiled ms", "speed-up"], deep_rows(args.config, deep_nets, args.rounds, args.updates)
    )
    print("compile time, first call in a fresh process (s), 1 thread:")
    table(["update", "empty cache", "cached"], compile_times(args.config, cases if args.tiny else [*cases, "deep"]))
    if args.identity:
        identity()


if __name__ == "__main__":
    main()
