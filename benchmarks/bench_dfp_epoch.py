"""Seconds per epoch of the XZ20 paper-scale nets on this machine, and the extrapolated cost.

    python benchmarks/bench_dfp_epoch.py [--config config/paper.yaml] [--steps 3] [--threads 1]
                                         [--mnist-root /path/holding/MNIST] [--device cpu]

For every ResNet-18 variant of dfp_resnet and the DNN of dfp_layers it times ``--steps``
minibatches with the config's net, optimizer and batch size through the suite's trainer (after
one warm-up step), and times one evaluation pass (the forward of ``EVAL_BATCH`` images, eval
mode) as the trainer's accuracy logging does it. Per epoch: steps per epoch x seconds per step,
plus, every ``log_every`` epochs, the evaluation of the training and validation sets by the
trained net (the frozen control computes its outputs once and caches them). The total
multiplies by epochs, variants and seeds. Times are CPU seconds on the CPU (``clock``), wall
seconds on a GPU. The RDF measurements (``benchmarks/bench_rdf.py``) come
on top. CIFAR-10 is read if present under ``--cifar-root``, else its offline stand-in, whose
tensors have CIFAR-10's shape (3×32×32): the time per step does not depend on the pixel values.

Measured on the 2-core build machine (shared, 1 thread, paper.yaml): ResNet-18 −1 … −4: 3.1, 2.8,
2.7, 2.2 s per step of 128, 8–11 ms per evaluated image, 1450–2060 s per epoch, 166 h for the four
variants × 80 epochs; the MNIST DNN of dfp_layers: 4 ms per step of 100, 1.4 s per epoch, 0.3 h for
800 epochs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from fprinciple import datasets
from fprinciple.config import load_and_validate
from fprinciple.engines.classify import EVAL_BATCH, predict
from fprinciple.models import classifier
from fprinciple.training import RunContext, TrainSpec, steps_per_epoch, train

ROOT = Path(__file__).resolve().parents[1]


def synchronised(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def clock(device: torch.device) -> float:
    """CPU time on the CPU (on a shared machine wall time counts the waits for a core; with one
    thread the process time is the compute), wall time on a GPU."""
    return time.perf_counter() if device.type == "cuda" else time.process_time()


def images(name: str, n: int, root: Path) -> datasets.Dataset:
    if name == "cifar10" and not (root / "cifar-10-batches-py").is_dir():
        name = "cifar_standin"
    return datasets.load(name, root=root, n=n)


def time_net(
    label: str,
    net: dict,
    optimizer: dict,
    data: datasets.Dataset,
    n_train: int,
    n_eval: int,
    epochs: int,
    log_every: int,
    runs: int,
    args,
    device: torch.device,
) -> float:
    x, y = torch.as_tensor(data.x, device=device), torch.as_tensor(data.y, device=device)
    torch.manual_seed(0)
    settings = {k: v for k, v in net.items() if k != "kind"}
    model = classifier(net["kind"], data.image_shape, 10, **settings).to(device)
    batch = optimizer["batch_size"]

    def steps(n: int) -> float:
        spec = TrainSpec(
            steps=n,
            lr=optimizer["lr"],
            optimizer=optimizer["name"],
            batch_size=batch,
            momentum=optimizer["momentum"],
            loss="cross_entropy",
            sampling="epochs",
            log_every=10**9,
        )
        start = clock(device)
        train(model, x, y, spec, RunContext(device=device))
        synchronised(device)
        return clock(device) - start

    steps(1)  # warm-up: allocator, kernels
    # the trainer logs step 0 and the last step of every call (trained net and controls):
    # the difference of two calls is pure training steps
    per_step = (steps(1 + args.steps) - steps(1)) / args.steps
    start = clock(device)
    predict(model, x[:EVAL_BATCH])
    synchronised(device)
    per_eval_image = (clock(device) - start) / min(EVAL_BATCH, len(x))
    logging = n_eval * per_eval_image / log_every
    per_epoch = steps_per_epoch(n_train, batch) * per_step + logging
    total = per_epoch * epochs * runs
    print(
        f"{label:24s} batch {batch:4d} n_train {n_train:6d}: {per_step:8.3f} s/step, {per_epoch:9.1f} s/epoch "
        f"(incl. accuracy logging {logging:.1f} s, {per_eval_image * 1e3:.2f} ms per image); "
        f"{epochs} epochs x {runs} runs: {total / 3600:.1f} h",
        flush=True,
    )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "paper.yaml")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mnist-root", type=Path, default=ROOT / "data")
    parser.add_argument("--cifar-root", type=Path, default=ROOT / "data")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="the nets of config/smoke.yaml, one step: seconds (tests/test_benchmarks.py)",
    )
    args = parser.parse_args()
    if args.tiny:
        args.config, args.steps = ROOT / "config" / "smoke.yaml", 1
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    experiments = load_and_validate([args.config])["experiments"]
    print(f"device={device} threads={torch.get_num_threads()} config={args.config.name}")
    total = 0.0
    if "dfp_resnet" in experiments:
        exp = experiments["dfp_resnet"]
        data_cfg = exp["data"]
        batch = exp["optimizer"]["batch_size"]
        data = images(data_cfg["dataset"], max(EVAL_BATCH, batch * (args.steps + 1)), args.cifar_root)
        print(f"dfp_resnet images: {data.name}")
        n_eval = data_cfg["n_train"] + data_cfg["n_test"]
        for removed in exp["blocks_removed"]:
            net = exp["net"] | {"blocks_removed": removed}
            total += time_net(
                f"dfp_resnet −{removed}",
                net,
                exp["optimizer"],
                data,
                data_cfg["n_train"],
                n_eval,
                exp["epochs"],
                exp["log_every"],
                len(exp["seeds"]),
                args,
                device,
            )
    if "dfp_layers" in experiments:
        exp = experiments["dfp_layers"]
        data_cfg = exp["data"]
        data = images(data_cfg["dataset"], min(5000, data_cfg["n_train"] or 1500), args.mnist_root)
        n_eval = data_cfg["n_train"] + (data_cfg["n_test"] or 0)
        total += time_net(
            "dfp_layers",
            exp["net"],
            exp["optimizer"],
            data,
            data_cfg["n_train"],
            n_eval,
            exp["epochs"],
            exp["log_every"],
            len(exp["seeds"]),
            args,
            device,
        )
    print(f"total training (without RDF measurements): {total / 3600:.1f} h")


if __name__ == "__main__":
    main()
