"""Does torch.compile of the training step beat eager torch on the quick scale's small 1-D nets?

The fp1d nets (1-200-200-200-100-1 tanh, 101 grid points, Adam, full batch) dominate the 1-D
experiments. Prints steps/s of an eager step and of a torch.compile'd one, and the compile time,
on one thread (as a training job runs), for the quick run length.

    python benchmarks/bench_compile.py [--steps 2000] [--threads 1]
"""

import argparse
import time

import torch

from fprinciple.models import MLP


def step_fn(model, optimizer, x, y):
    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        optimizer.step()
        return loss.detach()

    return step


def timed(step, steps: int) -> tuple[float, float]:
    """(seconds of the first step, steps/s of the rest)."""
    start = time.perf_counter()
    step()
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps - 1):
        step()
    return first, (steps - 1) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="5 steps, dynamo's eager backend (no C++ build): seconds (tests/test_benchmarks.py)",
    )
    args = parser.parse_args()
    if args.tiny:
        args.steps = 5
    torch.set_num_threads(args.threads)
    x = torch.linspace(-torch.pi, torch.pi, 101)[:, None]
    y = torch.sin(x) + torch.sin(3 * x) + torch.sin(5 * x)
    for name in ("eager", "compiled"):
        torch.manual_seed(0)
        model = MLP(1, 1, [200, 200, 200, 100], activation="tanh", init="normal", init_std=200**-0.5)
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-4)
        step = step_fn(model, optimizer, x, y)
        if name == "compiled":
            step = torch.compile(step, backend="eager" if args.tiny else "inductor")
        first, rate = timed(step, args.steps)
        total = first + (args.steps - 1) / rate
        print(f"{name:>8}: first step {first:.2f} s, then {rate:.0f} steps/s; {args.steps} steps in {total:.1f} s")


if __name__ == "__main__":
    main()
