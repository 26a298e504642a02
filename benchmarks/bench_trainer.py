"""Steps/s of the trainer with spectral logging (fp1d_equal_amp, its configured cadence) against a
bare torch loop on the same network and data. Target: overhead at most 10%.

    python benchmarks/bench_trainer.py [--steps 2000] [--repeats 3] [--config config/config.yaml]
"""

import argparse
import time

import torch

from fprinciple.config import load_and_validate
from fprinciple.engines.fit1d import problem
from fprinciple.experiments.fp1d_equal_amp import run as fp1d_equal_amp
from fprinciple.models import MLP
from fprinciple.training import RunContext


def bare_loop(cfg: dict, steps: int) -> float:
    """The minimal full-batch Adam loop: forward, MSE, backward, step."""
    x, y = problem(cfg)
    inputs, targets = (torch.as_tensor(a, dtype=torch.float32)[:, None] for a in (x, y))
    torch.manual_seed(0)
    model = MLP(1, 1, cfg["model"]["hidden"], cfg["model"]["activation"], cfg["model"]["init_std"])
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["optimizer"]["lr"])
    start = time.perf_counter()
    for _ in range(steps):
        loss = torch.mean((model(inputs) - targets) ** 2)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return steps / (time.perf_counter() - start)


def trainer(cfg: dict, steps: int) -> float:
    result = fp1d_equal_amp.run({**cfg, "steps": steps}, {"seeds": [0]}, RunContext(torch.device("cpu"), progress=True))
    return result.steps_per_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="config/smoke.yaml, 20 steps, one repeat: seconds (tests/test_benchmarks.py)",
    )
    args = parser.parse_args()
    if args.tiny:
        args.config, args.steps, args.repeats = "config/smoke.yaml", 20, 1
    cfg = load_and_validate([args.config])["experiments"]["fp1d_equal_amp"]  # the config's scale, defaults filled in
    torch.set_num_threads(1)
    bare = max(bare_loop(cfg, args.steps) for _ in range(args.repeats))
    ours = max(trainer(cfg, args.steps) for _ in range(args.repeats))
    print(
        f"network {cfg['model']['hidden']} {cfg['model']['activation']}, {cfg['grid']['n']} points, "
        f"log_every {cfg['log_every']}, {args.steps} steps, 1 thread, best of {args.repeats}"
    )
    print(f"bare torch loop : {bare:8.1f} steps/s")
    print(f"fprinciple train: {ours:8.1f} steps/s (spectral logging + progress bar)")
    print(f"overhead        : {100 * (bare / ours - 1):8.1f} %")


if __name__ == "__main__":
    main()
