"""Measure the F-Principle on your own model, with the suite's library calls.

    python examples/own_model.py                  # tiny defaults: a few seconds on one core
    python examples/own_model.py --steps 4000 --epochs 60 --json verdict.json

Two measurements, each on a model and data you replace with your own (the functions marked
"yours" below: any torch module, any target, any labelled inputs):

1. A 1-D regression on a uniform grid: the DFT of the target and its peaks
   (``spectrum``, ``find_peaks``), the relative error ΔF at each peak over training
   (``delta_f``) and the step at which each peak converges (``convergence_steps``). The
   F-Principle says the peaks converge in increasing order of frequency.
2. A classifier on high-dimensional inputs (here scikit-learn's 8×8 digits, offline): the
   Gaussian-filter method (``GaussianFilter.errors``: e_low and e_high of the softmax output
   against the one-hot labels), where the F-Principle says e_low falls first; and the
   low-frequency ratio and ratio density of the labels seen from the inputs and from the
   net's last hidden layer before and after training (``frequency_profile``: LFR, RDF and
   their median frequency), where the deep frequency principle says the hidden layer's
   effective target (its activations -> the labels) moves to lower frequency as it trains.

Errors in (2) are read relative to epoch 0, as fp_filter's claims do (src/fprinciple/experiments/fp_filter/README.md):
a near-uniform softmax starts with e_high = 1 and e_low < 1 by construction.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fprinciple import datasets
from fprinciple.spectral.dft import convergence_steps, delta_f, find_peaks, spectrum, uniform_grid
from fprinciple.spectral.filtering import GaussianFilter
from fprinciple.spectral.lfr import frequency_profile

# --- yours: replace these four with your own model and data ---------------------------------


def your_target(x: np.ndarray) -> np.ndarray:
    """A 1-D target with three frequencies of equal amplitude (so amplitude cannot explain the order)."""
    return np.sin(x) + np.sin(3 * x) + np.sin(5 * x)


def your_regressor(width: int) -> nn.Module:
    return nn.Sequential(nn.Linear(1, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(), nn.Linear(width, 1))


def your_classifier(inputs: int, classes: int, width: int) -> nn.Sequential:
    """The last module before the output layer is the 'last hidden layer' measured in (2)."""
    return nn.Sequential(
        nn.Linear(inputs, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, classes)
    )


def your_labelled_inputs(n: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Flattened inputs (n, d), integer labels (n,) and a name for the printout."""
    data = datasets.load("digits", n=n, seed=0)
    return data.x, data.y, data.name


# --- 1: spectrum, peaks and ΔF of a 1-D fit ---------------------------------------------------


def fit_1d(args) -> dict:
    """Train the regressor on the grid (full-batch Adam, MSE), log its output, judge the peaks."""
    x = uniform_grid(args.points, -np.pi, np.pi, endpoint=False)  # periodic: index k is sin(kx)
    y = your_target(x)
    model = your_regressor(args.width)
    inputs, targets = torch.tensor(x[:, None], dtype=torch.float32), torch.tensor(y[:, None], dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps, outputs = [], []
    for step in range(args.steps + 1):
        if step % args.log_every == 0:
            with torch.no_grad():
                steps.append(step)
                outputs.append(model(inputs).squeeze(1).numpy().astype(np.float64))
        if step == args.steps:
            break
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()

    target_hat = spectrum(y)
    peaks = find_peaks(np.abs(target_hat), max_freq=args.max_freq)
    history = delta_f(spectrum(np.array(outputs))[:, peaks], target_hat[peaks])  # (logs, peaks)
    converged = convergence_steps(np.array(steps), history, args.threshold, window=args.window)
    order = [int(k) for k in peaks[np.argsort(np.where(np.isnan(converged), np.inf, converged), kind="stable")]]
    all_converged = bool(np.isfinite(converged).all())
    return {
        "peaks": [int(k) for k in peaks],
        "converged_at_step": {int(k): (None if np.isnan(s) else int(s)) for k, s in zip(peaks, converged)},
        "order": order,
        "low_first": all_converged and bool(np.all(np.diff(converged) > 0)),
        "final_delta_f": {int(k): float(d) for k, d in zip(peaks, history[-1])},
    }


# --- 2: filtering method and LFR/RDF on a classifier --------------------------------------------


def fit_classifier(args) -> dict:
    """Train the classifier (minibatch SGD, cross-entropy); e_low/e_high every epoch; LFR/RDF at the end."""
    x, labels, name = your_labelled_inputs(args.samples)
    classes = int(labels.max()) + 1
    inputs, y = torch.tensor(x, dtype=torch.float32), torch.tensor(labels)
    one_hot = nn.functional.one_hot(y, classes).double()
    model = your_classifier(inputs.shape[1], classes, args.width)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.class_lr, momentum=0.9, nesterov=True)
    gaussian = GaussianFilter(x, args.deltas)  # pairwise distances once; every epoch reuses them
    generator = torch.Generator().manual_seed(args.seed)
    with torch.no_grad():
        hidden_at_start = model[:-1](inputs).double().numpy()

    epochs, errors = [], []  # errors: (epochs, deltas, 2) = (e_low, e_high)
    for epoch in range(args.epochs + 1):
        with torch.no_grad():
            softmax = model(inputs).softmax(dim=1).double()
        by_delta = gaussian.errors(one_hot, softmax)
        epochs.append(epoch)
        errors.append([by_delta[d] for d in gaussian.deltas])
        if epoch == args.epochs:
            break
        for batch in torch.randperm(len(y), generator=generator).split(args.batch_size):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(inputs[batch]), y[batch]).backward()
            optimizer.step()

    relative = np.array(errors) / np.array(errors)[0]  # relative to epoch 0
    filtering = {}
    for i, delta in enumerate(gaussian.deltas):
        first = convergence_steps(np.array(epochs), relative[:, i, :], args.class_threshold, window=1)
        low, high = (None if np.isnan(e) else int(e) for e in first)
        filtering[delta] = {
            "e_low_below_at_epoch": low,
            "e_high_below_at_epoch": high,
            "low_first": low is not None and (high is None or low < high),
        }

    k0 = np.geomspace(1.0, 16.0, 40)
    with torch.no_grad():
        hidden_at_end = model[:-1](inputs).double().numpy()
    seen_from = {"inputs": x, "hidden layer at epoch 0": hidden_at_start, "hidden layer at the end": hidden_at_end}
    median = {where: frequency_profile(view, one_hot.numpy(), k0).median_frequency for where, view in seen_from.items()}
    with torch.no_grad():
        accuracy = float((model(inputs).argmax(dim=1) == y).double().mean())
    return {
        "data": name,
        "train_accuracy": accuracy,
        "filtering": filtering,
        "median_frequency": median,
        "hidden_moved_lower": bool(median["hidden layer at the end"] < median["hidden layer at epoch 0"]),
    }


def report(verdict: dict) -> str:
    one_d, cls = verdict["fit_1d"], verdict["classifier"]
    steps = ", ".join(
        f"k={k} at step {s}" if s is not None else f"k={k} not within the run"
        for k, s in one_d["converged_at_step"].items()
    )
    lines = [
        f"1-D fit: DFT peaks of the target at k = {one_d['peaks']}",
        f"  ΔF converged (below the threshold to the end): {steps}",
        f"  first to converge: k={one_d['order'][0]}; order {one_d['order']}: "
        + ("lower frequencies first (the F-Principle)" if one_d["low_first"] else "NOT lower frequencies first"),
        f"classifier on {cls['data']}: train accuracy {cls['train_accuracy']:.2f}",
    ]
    for delta, row in cls["filtering"].items():
        lines.append(
            f"  δ={delta:g}: e_low/e_low(0) below the threshold at epoch {row['e_low_below_at_epoch']}, "
            f"e_high/e_high(0) at {row['e_high_below_at_epoch']}: "
            + ("low frequencies first" if row["low_first"] else "NOT low frequencies first")
        )
    median = cls["median_frequency"]
    lines.append(
        f"  labels' median frequency (k0 where LFR = 1/2): {median['inputs']:.2f} seen from the inputs; "
        f"from the last hidden layer {median['hidden layer at epoch 0']:.2f} at epoch 0, "
        f"{median['hidden layer at the end']:.2f} at the end: "
        + ("moved lower as it trained" if cls["hidden_moved_lower"] else "did NOT move lower")
    )
    lines.append(f"({verdict['seconds']:.1f} s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--points", type=int, default=64, help="1-D grid points")
    parser.add_argument("--width", type=int, default=64, help="hidden width of both nets")
    parser.add_argument("--steps", type=int, default=1500, help="1-D training steps")
    parser.add_argument("--lr", type=float, default=2e-3, help="1-D Adam learning rate")
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--max-freq", type=int, default=10, help="peaks are searched among k = 1 .. max-freq")
    parser.add_argument("--threshold", type=float, default=0.1, help="ΔF below which a peak has converged")
    parser.add_argument(
        "--window",
        type=int,
        default=None,
        help="logs ΔF must stay below the threshold (default: to the end of the run)",
    )
    parser.add_argument("--samples", type=int, default=300, help="classifier training samples")
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--class-lr", type=float, default=0.02)
    parser.add_argument(
        "--deltas",
        type=float,
        nargs="+",
        default=[0.5, 1.0, 2.0],
        help="Gaussian filter variances δ (input units: pixels in [0, 1])",
    )
    parser.add_argument("--class-threshold", type=float, default=0.3, help="relative e_low/e_high threshold")
    parser.add_argument("--json", type=Path, help="also write the verdict to this file")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    start = time.perf_counter()
    verdict = {"fit_1d": fit_1d(args), "classifier": fit_classifier(args)}
    verdict["seconds"] = time.perf_counter() - start
    print(report(verdict))
    if args.json:
        args.json.write_text(json.dumps(verdict, indent=1))
    return verdict


if __name__ == "__main__":
    main()
