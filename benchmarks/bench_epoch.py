"""Time per training epoch of every MNIST model of the paper scale, on this machine.

    python benchmarks/bench_epoch.py [--config config/paper.yaml] [--steps 20] [--threads 1]
                                     [--mnist-root DIR] [--device cpu]

For each MNIST net in the config (fp_projection, fp_filter, fp_init_scale, basri_label_noise) it
trains ``--steps`` minibatches of real MNIST (without it, its same-shape stand-in) with the
config's optimizer and batch size through the suite's trainer (no metric hooks) after a short
warm-up, and reports seconds per step and per epoch (steps per epoch x seconds per step) at the
config's training-set size. The metrics logged each epoch (accuracies, filter, projection) come
on top.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from fprinciple import datasets
from fprinciple.config import load_and_validate
from fprinciple.models import classifier
from fprinciple.training import RunContext, TrainSpec, steps_per_epoch, train

ROOT = Path(__file__).resolve().parents[1]


def mnist_models(cfg: dict) -> list[tuple[str, dict, dict, int | None]]:
    """(label, net, optimizer, n_train) of every net the config trains on MNIST."""
    found = []

    def add(label, net, optimizer, data, held_out=0):
        if data["dataset"] == "mnist":
            n = data.get("n_train") or 60000
            found.append((label, net, optimizer, n - held_out))

    experiments = cfg["experiments"]
    for name, family in experiments.get("fp_projection", {}).get("families", {}).items():
        add(f"fp_projection/{name}", family["net"], family["optimizer"], family["data"])
    filt = experiments.get("fp_filter", {})
    for entry in filt.get("datasets", []):
        for kind, net in filt["nets"].items():
            add(f"fp_filter/{kind}", net["model"], net["optimizer"], entry["data"])
    if "fp_init_scale" in experiments:
        exp = experiments["fp_init_scale"]
        net = exp["mnist"]["net"] | {"init_std": float(exp["init_stds"][0])}  # the run sets each scale in turn
        add("fp_init_scale/mnist", net, exp["mnist"]["optimizer"], exp["mnist"]["data"])
    if "basri_label_noise" in experiments:
        exp = experiments["basri_label_noise"]
        add("basri_label_noise", exp["net"], exp["optimizer"], exp["data"], held_out=exp["n_val"])
    return found


def time_steps(model, x, y, optimizer: dict, n: int, device: torch.device) -> float:
    """Seconds for n training steps of `model` with the experiment's optimizer settings."""
    spec = TrainSpec(
        steps=n,
        lr=optimizer["lr"],
        optimizer=optimizer["name"],
        batch_size=optimizer["batch_size"],
        momentum=optimizer["momentum"],
        nesterov=optimizer["nesterov"],
        loss="cross_entropy",
        sampling="epochs",
        log_every=10**9,
    )
    start = time.perf_counter()
    train(model, x, y, spec, RunContext(device=device))
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "paper.yaml")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mnist-root", type=Path, default=ROOT / "data")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument(
        "--tiny", action="store_true", help="one step per net, no warm-up: seconds (tests/test_benchmarks.py)"
    )
    args = parser.parse_args()
    if args.tiny:
        args.steps = 1
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    # the time per step does not depend on the pixel values: without MNIST, its same-shape stand-in
    name = "mnist" if (args.mnist_root / "MNIST" / "raw").is_dir() else "mnist_standin"
    mnist = datasets.load(name, root=args.mnist_root, n=5000)
    x, y = torch.as_tensor(mnist.x, device=device), torch.as_tensor(mnist.y, device=device)
    print(f"device={device} threads={args.threads} config={args.config.name} images={mnist.name}")
    for label, net, optimizer, n_train in mnist_models(load_and_validate([args.config])):
        torch.manual_seed(0)
        settings = {k: v for k, v in net.items() if k != "kind"}
        model = classifier(net["kind"], mnist.image_shape, 10, **settings).to(device)
        batch = optimizer["batch_size"]
        if not args.tiny:
            time_steps(model, x, y, optimizer, 3, device)  # warm-up: allocator, kernels
        per_step = time_steps(model, x, y, optimizer, args.steps, device) / args.steps
        per_epoch = steps_per_epoch(n_train, batch) * per_step
        print(
            f"{label:28s} {net['kind']:6s} batch {batch:4d} n_train {n_train:6d}: "
            f"{per_step * 1e3:8.1f} ms/step, {per_epoch:8.1f} s/epoch ({per_epoch / 60:.1f} min)"
        )


if __name__ == "__main__":
    main()
