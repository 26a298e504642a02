"""fp_init_scale — X18: the same fully connected net, initialised at several scales
s (weights ~ N(0, s²/fan_in), ``models.MLP``'s ``init_std``), fits its training data at every
scale, but a larger s leaves more high-frequency energy in the learned function and generalises
worse.

Two parts, one job training both at every s for every seed (each scale a checkpointed part):

- ``fit1d``: a tanh MLP fits a few points of a smooth 1-D function (full-batch Adam, MSE, until
  the loss is below ``loss_threshold``); at step 0 and at the end the output is logged on a
  dense uniform grid over the points' interval, with its DFT magnitude and its high-frequency
  energy fraction Σ_{k ≥ k_min} |ĥ_k|² / Σ_{k ≥ 1} |ĥ_k|².
- ``mnist``: a fully connected classifier on MNIST (or its offline stand-in) trained with
  cross-entropy by the shared classification engine (``classify.fit``); train and test accuracy
  per logged epoch.

Every claim compares fitted functions only: a net that has not fitted its data proves nothing
about what fitting does (the frozen initial net already has more high-frequency energy at a
larger s, and a worse test error may be chance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ...claims import Claim
from ...datasets import caption as dataset_caption
from ...engines.classify import build_model, fit, load_data
from ...engines.fit1d import problem
from ...models import MLP, evaluate
from ...spectral.dft import spectrum, uniform_grid
from ...targets.functions1d import make_target
from ...training import RunContext, TrainResult, TrainSpec, combine
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs

PAPER_FIGURE = "Xu 2018 (arXiv:1808.04295): small vs large initialisation, 1-D fits and MNIST test accuracy"
PARTS = ("fit1d", "mnist")


def data_caption(cfg: dict) -> str:
    """What the classification part trains on, as ``datasets.load`` names it."""
    return dataset_caption(cfg["mnist"]["data"]["dataset"])


def target_caption(target: dict) -> str:
    """e.g. "sin x + 0.5·sin 3x" for a sines target, else the target's kind."""
    if target["kind"] != "sines":
        return target["kind"]
    amplitudes = target.get("amplitudes") or [1.0] * len(target["frequencies"])
    return " + ".join(
        f"{'' if a == 1 else f'{a:g}·'}sin {'' if k == 1 else f'{k:g}'}x"
        for k, a in zip(target["frequencies"], amplitudes)
    )


def caption(cfg: dict) -> str:
    grid = cfg["fit1d"]["grid"]
    return (
        f"synthetic: {grid['n']} points of {target_caption(cfg['fit1d']['target'])} "
        f"on [{grid['low']:.3g}, {grid['high']:.3g}]; {data_caption(cfg)}"
    )


dataset = caption


def datasets(cfg: dict) -> list[str]:
    return [cfg["mnist"]["data"]["dataset"]]


# One job trains both parts at every scale for every seed (small nets: one job each would spend
# more time starting Python than training), one after another or batched (``ensemble``).
runs = seed_jobs


def high_frequency_fraction(values: np.ndarray, k_min: int) -> float:
    """Share of the non-constant spectral energy at DFT index k ≥ ``k_min`` (uniform grid); NaN
    for a constant (the mean control), which has no such energy to share."""
    power = np.abs(spectrum(values)) ** 2
    total = power[1:].sum()
    return float(power[k_min:].sum() / total) if total > 0 else np.nan


def run_fit1d(cfg: dict, s: float, seeds: list[int], ctx: RunContext) -> TrainResult:
    part = cfg["fit1d"]
    x, y = problem(part)
    grid = part["grid"]
    dense = uniform_grid(part["eval_points"], grid["low"], grid["high"], endpoint=False)
    k_min, max_freq = part["high_freq_min"], part["max_freq"]
    net = part["model"]
    dense_inputs = torch.as_tensor(dense, dtype=torch.float32, device=ctx.device)[:, None]

    def hook(step: int, model: torch.nn.Module, last: bool):
        h = evaluate(model, dense_inputs)
        if step == 0:
            yield "points", x, y
            yield "target", dense, make_target(dense, part["target"])
        yield "output", dense, h
        yield "spectrum", np.arange(max_freq + 1), np.abs(spectrum(h))[: max_freq + 1]
        yield "high_freq_energy", np.nan, high_frequency_fraction(h, k_min)

    opt = part["optimizer"]
    spec = TrainSpec(  # logs at step 0 and at the last step only
        steps=part["steps"],
        lr=opt["lr"],
        optimizer=opt["name"],
        momentum=opt.get("momentum", 0.0),
        loss_threshold=part["loss_threshold"],
        log_every=part["steps"],
    )
    inputs = torch.as_tensor(x, dtype=torch.float32, device=ctx.device)[:, None]
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    members = []
    for seed in seeds:
        torch.manual_seed(seed)
        model = MLP(1, 1, net["hidden"], net["activation"], s, net.get("bias", True)).to(ctx.device)
        members.append(Member(seed, model, inputs, targets, hooks=[hook]))
    return train_seeds(members, spec, ctx, batched(cfg.get("ensemble", "auto"), ctx.device))


def run_mnist(cfg: dict, s: float, seeds: list[int], ctx: RunContext) -> TrainResult:
    part = cfg["mnist"]
    data = load_data(part["data"], ctx)
    models = {seed: build_model(part["net"], data, seed, init_std=s) for seed in seeds}
    return fit(part | {"ensemble": cfg.get("ensemble", "auto")}, models, data, ctx)


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Train each part at each scale in turn; the records get ``part`` and ``init_std`` columns."""
    runners = {"fit1d": run_fit1d, "mnist": run_mnist}
    return combine(
        [
            ({"part": part, "init_std": s}, runners[part](cfg, s, variant["seeds"], ctx.part(f"{part}-init_std-{s:g}")))
            for part in PARTS
            for s in map(float, cfg["init_stds"])
        ]
    )


def final(metrics: pd.DataFrame, part: str, names: list[str]) -> pd.DataFrame:
    """The part's scalar metrics ``names`` at each run's last logged step: one row per (s, seed)."""
    rows = metrics[(metrics["part"] == part) & metrics["metric"].isin(names)]
    last = rows.groupby(["seed", "init_std"])["step"].transform("max")
    rows = rows[rows["step"] == last]
    table = rows.pivot_table(index=["init_std", "seed"], columns="metric", values="value", dropna=False)
    return table.reindex(columns=names).reset_index()  # an all-NaN metric (the mean control's energy) stays


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    stds = sorted(float(s) for s in cfg["init_stds"])
    small, large = stds[0], stds[-1]
    threshold, accuracy_min = cfg["fit1d"]["loss_threshold"], limits["train_accuracy_min"]

    fits = final(metrics, "fit1d", ["high_freq_energy", "train_loss"])
    energy = fits.pivot(index="init_std", columns="seed", values="high_freq_energy").reindex(stds)
    fitted_1d = (fits.pivot(index="init_std", columns="seed", values="train_loss").reindex(stds) < threshold).all(
        axis=0
    )
    monotone = (np.diff(energy.to_numpy(), axis=0) > 0).all(axis=0)
    ratio = energy.loc[large] / energy.loc[small]
    k_min = cfg["fit1d"]["high_freq_min"]
    energy_holds = fitted_1d & monotone & (ratio >= limits["energy_ratio_min"])

    nets = final(metrics, "mnist", ["train_accuracy", "test_accuracy"])
    test_error = 1 - nets.pivot(index="init_std", columns="seed", values="test_accuracy").reindex(stds)
    train_accuracy = nets.pivot(index="init_std", columns="seed", values="train_accuracy").reindex(stds)
    fitted_net = (train_accuracy.loc[[small, large]] >= accuracy_min).all(axis=0)
    worse = test_error.loc[large] - test_error.loc[small]
    caption = data_caption(cfg)
    worst_loss, worst_accuracy = fits["train_loss"].max(), nets["train_accuracy"].min()
    return [
        Claim(
            claim="larger_init_more_high_frequency",
            statement="a larger initialisation leaves more high-frequency energy in the learned 1-D function",
            measured=(
                f"energy at k ≥ {k_min} rises with s in {int(monotone.sum())}/{len(monotone)} seeds, fitted at every s in "
                f"{int(fitted_1d.sum())}/{len(fitted_1d)}; per s (mean over seeds): "
                + ", ".join(f"s={s:g}: {e:.1e}" for s, e in energy.mean(axis=1).items())
                + f"; s={large:g} / s={small:g}: ×{ratio.min():.0f} (worst seed)"
            ),
            threshold=(
                f"fitted (final MSE < {threshold:g}) at every s, and the energy strictly increasing over "
                f"s = {stds} and ≥ {limits['energy_ratio_min']}× from s={small:g} to s={large:g}"
            ),
            passed=bool(energy_holds.all()) if energy_holds.size else None,
        ),
        Claim(
            claim="larger_init_worse_test_error",
            statement=f"a larger initialisation generalises worse ({caption})",
            measured=(
                "test error per s (mean over seeds): "
                + ", ".join(f"s={s:g}: {e:.3f}" for s, e in test_error.mean(axis=1).items())
                + f"; s={large:g} − s={small:g}: {worse.min():+.3f} (worst seed); train accuracy ≥ {accuracy_min} at both "
                f"in {int(fitted_net.sum())}/{len(fitted_net)} seeds"
            ),
            threshold=(
                f"train accuracy ≥ {accuracy_min} at s={small:g} and s={large:g}, and the test error at "
                f"s={large:g} exceeds that at s={small:g} by ≥ {limits['test_error_margin']}"
            ),
            passed=bool((fitted_net & (worse >= limits["test_error_margin"])).all()) if len(worse) else None,
        ),
        Claim(
            claim="every_scale_fits_training_data",
            statement="every initialisation scale still fits its training data",
            measured=f"1-D: largest final MSE {worst_loss:.1e}; {caption}: lowest final train accuracy {worst_accuracy:.3f}",
            threshold=f"1-D MSE < {threshold:g} and train accuracy ≥ {accuracy_min} for every s",
            passed=bool(worst_loss < threshold and worst_accuracy >= accuracy_min) if len(fits) and len(nets) else None,
        ),
    ]
