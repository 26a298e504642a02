"""fp_projection — XZLXM19 fig. 3 (lecture notes fig. 1.10, §1.5.4, eq. 1.6): the F-Principle on real data seen
along one direction, the first principal component p of the training inputs.

Families, each a classifier trained with cross-entropy (``classify.fit``): an MNIST-like set with
a fully connected tanh net and a CIFAR-like set with the small CNN. As in the authors' notebook
(understanding_dl, A4_16), the spectrum is that of ONE output coordinate: for each configured
class c, the non-uniform DFT along v = p·x of the one-hot column y_c (the target) and of the
softmax output h_c on the training inputs, on a grid of frequencies from 0 (cycles per unit of
v); its peaks are the first ``n_peaks`` local maxima of |ŷ_c| on the grid, end points included
(``grid_maxima``: the authors' rule), and ΔF(k) = |ĥ_c(k) − ŷ_c(k)| / |ŷ_c(k)| at each.

Each peak's significance is |ŷ_c(k)| in units of σ_c = sqrt(p_c (1 − p_c) / n), p_c the class
share: the rms |ŷ_c(k)| of labels unrelated to v. A peak within a few σ of it is a feature of
this sample, not of the data; the suite tests only peaks at least ``spectrum.min_sigma`` σ high
(its own floor; the authors test all). With ``centre_labels`` (the suite's; the authors do not
centre) the class share p_c is subtracted from target and output alike: a constant has the
spectrum p_c·φ(k), φ the characteristic function of v, which spreads the k = 0 term over
|k| ≲ 1/std(v) and hides the labels' own low peak where v spreads little (MNIST, digits); ĥ − ŷ,
the numerator of ΔF, is unchanged. Logged per class (column ``class``): the target's |ŷ_c| on
the grid, σ_c, the peaks and their significance (step 0); ΔF at the peaks at every logged epoch;
the output's |ĥ_c| on the grid after the last epoch. One job per seed trains every family in
turn (a checkpointed part each); the ``even`` control (``classify.Interpolant``) fits every
frequency at the same rate.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import torch

from ...claims import PAPER, SUITE, Claim
from ...datasets import caption as dataset_caption
from ...engines.classify import (
    EVEN,
    Interpolant,
    build_model,
    fit,
    load_data,
    memo_by_value,
    planned_steps,
    predict,
    scores,
    with_epochs,
)
from ...spectral.dft import convergence_steps
from ...spectral.dft import delta_f as relative_error
from ...spectral.projection import first_principal_component, grid_maxima, nudft, project
from ...training import RunContext, TrainResult, combine
from ...training.seeds import seeds_in_turn
from .. import seed_jobs

PAPER_FIGURE = "Xu et al., CiCP 2020, fig. 3: projection on the first principal component (lecture notes fig. 1.10)"


def datasets(cfg: dict) -> list[str]:
    return sorted({family["data"]["dataset"] for family in cfg["families"].values()})


def dataset(cfg: dict) -> str:
    return "; ".join(dataset_caption(family["data"]["dataset"]) for family in cfg["families"].values())


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


def convergence(metrics: pd.DataFrame, threshold: float, window: int) -> pd.DataFrame:
    """Per family, class, seed and peak: the logged epoch from which ΔF stays below ``threshold``
    for ``window`` consecutive logged epochs (NaN: never)."""
    delta = with_epochs(metrics, by=("run", "family"))
    delta = delta[delta["metric"] == "delta_f"]
    rows = []
    for (family, label, seed), group in delta.groupby(["family", "class", "seed"], sort=True):
        history = group.pivot(index="epoch", columns="key", values="value").sort_index()
        epochs = convergence_steps(history.index.to_numpy(), history.to_numpy(), threshold, window)
        rows += [(family, int(label), seed, k, epoch) for k, epoch in zip(history.columns, epochs)]
    table = pd.DataFrame(rows, columns=["family", "class", "seed", "k", "converged_at"])
    return table.astype({"k": float, "converged_at": float})  # also when no peak was logged


def in_order(epochs: np.ndarray, ties: bool) -> bool:
    """At least two convergence epochs (peaks by rising k), all finite and increasing: strictly,
    or with ties."""
    epochs = np.asarray(epochs, dtype=float)
    steps = np.diff(epochs)
    return bool(len(epochs) >= 2 and np.isfinite(epochs).all() and (steps >= 0 if ties else steps > 0).all())


def class_peaks(rows: pd.DataFrame, label: int) -> pd.DataFrame:
    """The peaks of class ``label`` (k, significance) as the first seed logged them: the target
    and so its peaks are the same in every seed."""
    found = rows[(rows["metric"] == "significance") & (rows["class"] == label)]
    found = found[found["seed"] == found["seed"].min()]
    return found.sort_values("key")[["key", "value"]].rename(columns={"key": "k", "value": "sigma"})


def shown_class(rows: pd.DataFrame, settings: dict, min_sigma: float) -> int:
    """The class a figure shows: the first configured class with two tested peaks, else the first."""
    tested = [c for c in settings["classes"] if (class_peaks(rows, c)["sigma"] >= min_sigma).sum() >= 2]
    return (tested or settings["classes"])[0]


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    """One claim per configured family, judged per seed: in every configured class with at least
    two peaks at least ``min_sigma`` σ high, those peaks converge in order of k; untested where no
    class has two."""
    limits, min_sigma = cfg["claims"], cfg["spectrum"]["min_sigma"]
    threshold, window, ties = limits["threshold"], limits["window"], limits["ties"]
    centred = cfg["spectrum"]["centre_labels"]
    table = convergence(metrics, threshold, window)
    order = "non-decreasing (ties at the logging resolution allowed)" if ties else "strictly increasing"
    found = []
    for family, settings in cfg["families"].items():
        rows = metrics[metrics["family"] == family]
        caption = rows["dataset"].iloc[0] if len(rows) else dataset_caption(settings["data"]["dataset"])
        runs = table[table["family"] == family]
        seeds = sorted(rows["seed"].unique())
        holds = {seed: True for seed in seeds}
        parts, judged = [], []
        for label in settings["classes"]:
            peaks = class_peaks(rows, label)
            tested = peaks[peaks["sigma"] >= min_sigma]["k"].to_numpy()
            listed = ", ".join(f"{k:.3g} ({z:.1f}σ)" for k, z in zip(peaks["k"], peaks["sigma"])) or "none"
            if len(tested) < 2:
                parts.append(f"class {label}: {listed}: {len(tested)} peak(s) ≥ {min_sigma:g}σ, not judged")
                continue
            judged.append(label)
            per_seed = {
                seed: g[g["k"].isin(tested)].sort_values("k")
                for seed, g in runs[runs["class"] == label].groupby("seed")
            }
            held = 0
            for seed in seeds:
                ok = seed in per_seed and in_order(per_seed[seed]["converged_at"], ties)
                holds[seed] &= ok
                held += ok
            first = per_seed.get(seeds[0]) if seeds else None
            epochs = (
                ""
                if first is None
                else f"; seed {seeds[0]}: "
                + ", ".join(
                    f"k={k:.3g}→{'never' if np.isnan(e) else f'{e:g}'}"
                    for k, e in zip(first["k"], first["converged_at"])
                )
            )
            parts.append(f"class {label}: {listed}: order holds in {held}/{len(seeds)} seeds{epochs}")
        n_train = settings["data"].get("n_train") or "all"
        note = (
            ""
            if judged
            else (
                f"no class among {settings['classes']} has two of its first {settings['n_peaks']} peaks ≥ {min_sigma:g}σ "
                f"above the noise sqrt(p(1−p)/n) with n_train = {n_train}: no order to test at this scale"
            )
        )
        labels = (
            "centred (the suite's: the class share's leak p·φ(k) removed)" if centred else "uncentred (the authors')"
        )
        found.append(
            Claim(
                claim=f"low_peaks_converge_first_{family}",
                statement=(
                    f"{caption}: along the first principal component, the lower-frequency peaks of one class "
                    f"coordinate's labels converge first (the authors show class 8 of CIFAR-10)"
                ),
                measured=f"peaks (significance in σ = sqrt(p(1−p)/n)): {'; '.join(parts)}",
                threshold=(
                    f"peaks: the first {settings['n_peaks']} local maxima (end points included: the authors' rule) of "
                    f"|ŷ_c(k)| of class c's {labels} one-hot column on k = 0…{settings['freqs']['max']:g} "
                    f"({settings['freqs']['n']} points); tested: those ≥ {min_sigma:g}σ (the suite's floor; the authors "
                    f"test every peak); holds in a seed when, in every class with ≥ 2 tested peaks, the epoch from which "
                    f"ΔF stays below {threshold} for {window} consecutive logged epochs (logged every "
                    f"{settings.get('log_every', 1)} epoch(s)) is {order} in k"
                ),
                passed=all(holds.values()) if judged and holds else None,
                note=note,
                source=SUITE if centred else PAPER,
            )
        )
    return found
