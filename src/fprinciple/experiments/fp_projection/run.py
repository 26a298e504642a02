"""fp_projection, the run side: one job per seed trains every family in turn (``engines.classify``)
and logs, per configured class, the spectra along the first principal component and ΔF at the
target's peaks every logged epoch, with the ``even`` control."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import torch

from ...engines.classify import (
    Interpolant,
    build_model,
    fit,
    load_data,
    memo_by_value,
    planned_steps,
    predict,
    scores,
)
from ...learners import EVEN
from ...spectral.dft import delta_f as relative_error
from ...spectral.projection import first_principal_component, grid_maxima, nudft, project
from ...training import RunContext, TrainResult, combine
from ...training.seeds import seeds_in_turn
from .. import seed_jobs

# One job: every family (the paper's MNIST and CIFAR-10 panels) for each seed in turn.
runs = seed_jobs


CLASS_MARK = "@class"  # hooks log metric "<name>@class<c>"; run_family splits it into metric and class


def class_noise(labels: np.ndarray, classes: list[int]) -> np.ndarray:
    """σ_c = sqrt(p_c (1 − p_c) / n) per class c: the rms |ŷ_c(k)| of its one-hot column (centred)
    when the order of the samples along v is unrelated to the labels."""
    share = np.array([np.mean(labels == c) for c in classes])
    return np.sqrt(share * (1 - share) / len(labels))


def spectral_hook(data, family: dict, spectrum: dict):
    """Log each class's target spectrum, σ_c, peaks and their significance once, then ΔF at the
    peaks at every logged epoch (|ĥ_c| on the grid after the last), and the train accuracy and loss
    (from the same logits)."""
    x, labels = data.train.x, data.train.y
    classes = family["classes"]
    freqs = np.linspace(0.0, family["freqs"]["max"], family["freqs"]["n"])
    v = project(x, first_principal_component(x))
    y = np.eye(data.train.n_classes)[labels][:, classes]
    offset = y.mean(axis=0) if spectrum["centre_labels"] else np.zeros(len(classes))
    target = nudft(y - offset, v, freqs)
    noise = class_noise(labels, classes)
    peaks = [grid_maxima(np.abs(target[:, j]))[: family["n_peaks"]] for j in range(len(classes))]

    @memo_by_value
    def measure(h: np.ndarray) -> np.ndarray:
        return nudft(h[:, classes] - offset, v, freqs)

    def hook(step: int, model: torch.nn.Module, last: bool):
        logits = predict(model, data.x_train)
        yield from scores("train", logits, data.y_train)
        output = measure(torch.softmax(logits, dim=1).cpu().numpy().astype(np.float64))
        for j, c in enumerate(classes):
            at = peaks[j]
            if step == 0:
                yield f"target_spectrum{CLASS_MARK}{c}", freqs, np.abs(target[:, j])
                yield f"noise{CLASS_MARK}{c}", np.nan, noise[j]
                yield f"peaks{CLASS_MARK}{c}", freqs[at], np.abs(target[at, j])
                yield f"significance{CLASS_MARK}{c}", freqs[at], np.abs(target[at, j]) / noise[j]
            yield (
                f"delta_f{CLASS_MARK}{c}",
                freqs[at],
                relative_error(output[at, j], target[at, j], spectrum["delta_form"]),
            )
            if last:
                yield f"spectrum{CLASS_MARK}{c}", freqs, np.abs(output[:, j])

    return hook


def with_class_column(result: TrainResult) -> TrainResult:
    """The hook's "<name>@class<c>" metrics as metric <name> with ``class`` c (NaN for the rest)."""
    parts = result.records["metric"].str.split(CLASS_MARK, n=1, expand=True).reindex(columns=[0, 1])
    records = result.records.assign(metric=parts[0], **{"class": pd.to_numeric(parts[1])})
    return replace(result, records=records)


def run_family(family: dict, spectrum: dict, seed: int, ctx: RunContext) -> tuple[TrainResult, str]:
    data = load_data(family["data"], ctx)
    model = build_model(family["net"], data, seed)
    even = Interpolant(data.x_train, data.y_train, data.train.n_classes, ctx.steps(planned_steps(family, data)))
    result = fit(
        family,
        {seed: model},
        data,
        ctx,
        hooks=[spectral_hook(data, family, spectrum)],
        splits={"test": (data.x_test, data.y_test)},
        controls={EVEN: even},
    )
    return with_class_column(result), data.train.name


def run_seed(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Every family in turn; the records get ``family`` and the caption of the data actually used
    (``dataset``: a stand-in says so)."""
    parts = []
    for name, family in cfg["families"].items():
        result, caption = run_family(family, cfg["spectrum"], variant["seed"], ctx.part(f"family-{name}"))
        parts.append(({"family": name, "dataset": caption}, result))
    return combine(parts)


run = seeds_in_turn(run_seed)
