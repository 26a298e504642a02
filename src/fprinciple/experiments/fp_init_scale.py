"""fp_init_scale — X18 (seed 002): the same fully connected net, initialised at several scales
s (weights ~ N(0, s²/fan_in), ``models.MLP``'s ``init_std``), fits its training data at every
scale, but a larger s leaves more high-frequency energy in the learned function and generalises
worse.

Two parts, one job per (part, seed) training every s:

- ``fit1d``: a tanh MLP fits a few points of a smooth 1-D function (full-batch Adam, MSE, until
  the loss is below ``loss_threshold``); at step 0 and at the end the output is logged on a
  dense uniform grid over the points' interval, with its DFT magnitude and its high-frequency
  energy fraction Σ_{k ≥ k_min} |ĥ_k|² / Σ_{k ≥ 1} |ĥ_k|².
- ``mnist``: a fully connected classifier on MNIST (or its offline stand-in) trained with
  cross-entropy by the shared classification engine (``classify.fit``); train and test accuracy
  per logged epoch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..claims import Claim
from ..datasets import caption as dataset_caption
from ..engines.classify import build_model, fit, load_data
from ..engines.fit1d import problem
from ..models import MLP, evaluate
from ..spectral.dft import spectrum, uniform_grid
from ..targets.functions1d import make_target
from ..training import RunContext, TrainResult, TrainSpec, combine, train
from . import grid

PAPER_FIGURE = "X18 (seed 002): small vs large initialisation, 1-D fits and MNIST test accuracy"
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
        f"{'' if a == 1 else f'{a:g}·'}sin {'' if k == 1 else f'{k:g}'}x" for k, a in zip(target["frequencies"], amplitudes)
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


def runs(cfg: dict) -> dict[str, dict]:
    """One job per part and seed; it trains the net at every scale (small nets: one job each
    would spend more time starting Python than training)."""
    return grid(part=PARTS, seed=cfg["seeds"])


def high_frequency_fraction(values: np.ndarray, k_min: int) -> float:
    """Share of the non-constant spectral energy at DFT index k ≥ ``k_min`` (uniform grid)."""
    power = np.abs(spectrum(values)) ** 2
    return float(power[k_min:].sum() / power[1:].sum())


def run_fit1d(cfg: dict, s: float, seed: int, ctx: RunContext) -> TrainResult:
    part = cfg["fit1d"]
    x, y = problem(part)
    grid = part["grid"]
    dense = uniform_grid(part["eval_points"], grid["low"], grid["high"], endpoint=False)
    k_min, max_freq = part["high_freq_min"], part["max_freq"]
    torch.manual_seed(seed)
    net = part["model"]
    model = MLP(1, 1, net["hidden"], net["activation"], s, net.get("bias", True)).to(ctx.device)
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
        steps=part["steps"], lr=opt["lr"], optimizer=opt["name"], momentum=opt.get("momentum", 0.0),
        loss_threshold=part["loss_threshold"],
        log_every=part["steps"],
    )
    inputs = torch.as_tensor(x, dtype=torch.float32, device=ctx.device)[:, None]
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    return train(model, inputs, targets, spec, ctx, hooks=[hook], seed=seed)


def run_mnist(cfg: dict, s: float, seed: int, ctx: RunContext) -> TrainResult:
    part = cfg["mnist"]
    data = load_data(part["data"], ctx)
    model = build_model(part["net"], data, seed, init_std=s)
    return fit(part, model, data, seed, ctx)


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Train at each scale in turn; the records get an ``init_std`` column."""
    runner = run_fit1d if variant["part"] == "fit1d" else run_mnist
    return combine([({"init_std": s}, runner(cfg, s, variant["seed"], ctx.part(f"init_std-{s:g}")))
                    for s in map(float, cfg["init_stds"])])


def final(metrics: pd.DataFrame, part: str, names: list[str]) -> pd.DataFrame:
    """The part's scalar metrics ``names`` at each run's last logged step: one row per (s, seed)."""
    rows = metrics[(metrics["part"] == part) & metrics["metric"].isin(names)]
    last = rows.groupby(["run", "init_std"])["step"].transform("max")
    rows = rows[rows["step"] == last]
    return rows.pivot_table(index=["init_std", "seed"], columns="metric", values="value").reset_index()


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    stds = sorted(float(s) for s in cfg["init_stds"])
    small, large = stds[0], stds[-1]

    fits = final(metrics, "fit1d", ["high_freq_energy", "train_loss"])
    energy = fits.pivot(index="init_std", columns="seed", values="high_freq_energy").reindex(stds)
    monotone = (np.diff(energy.to_numpy(), axis=0) > 0).all(axis=0)
    ratio = energy.loc[large] / energy.loc[small]
    k_min = cfg["fit1d"]["high_freq_min"]

    nets = final(metrics, "mnist", ["train_accuracy", "test_accuracy"])
    test_error = 1 - nets.pivot(index="init_std", columns="seed", values="test_accuracy").reindex(stds)
    worse = test_error.loc[large] - test_error.loc[small]
    caption = data_caption(cfg)
    fitted_1d = fits["train_loss"].max()
    fitted_net = nets["train_accuracy"].min()
    return [
        Claim(
            claim="larger_init_more_high_frequency",
            statement="a larger initialisation leaves more high-frequency energy in the learned 1-D function",
            measured=(
                f"energy at k ≥ {k_min} rises with s in {int(monotone.sum())}/{len(monotone)} seeds; per s (mean over seeds): "
                + ", ".join(f"s={s:g}: {e:.1e}" for s, e in energy.mean(axis=1).items())
                + f"; s={large:g} / s={small:g}: ×{ratio.min():.0f} (worst seed)"
            ),
            threshold=f"strictly increasing over s = {stds} and ≥ {limits['energy_ratio_min']}× from s={small:g} to s={large:g}, in every seed",
            passed=bool(monotone.size > 0 and monotone.all() and (ratio >= limits["energy_ratio_min"]).all()),
        ),
        Claim(
            claim="larger_init_worse_test_error",
            statement=f"a larger initialisation generalises worse ({caption})",
            measured=(
                "test error per s (mean over seeds): "
                + ", ".join(f"s={s:g}: {e:.3f}" for s, e in test_error.mean(axis=1).items())
                + f"; s={large:g} − s={small:g}: {worse.min():+.3f} (worst seed)"
            ),
            threshold=f"test error at s={large:g} exceeds that at s={small:g} by ≥ {limits['test_error_margin']}, in every seed",
            passed=bool(len(worse) > 0 and (worse >= limits["test_error_margin"]).all()),
        ),
        Claim(
            claim="every_scale_fits_training_data",
            statement="every initialisation scale still fits its training data",
            measured=f"1-D: largest final MSE {fitted_1d:.1e}; {caption}: lowest final train accuracy {fitted_net:.3f}",
            threshold=f"1-D MSE < {cfg['fit1d']['loss_threshold']:g} and train accuracy ≥ {limits['train_accuracy_min']} for every s and seed",
            passed=bool(
                len(fits) > 0 and len(nets) > 0
                and fitted_1d < cfg["fit1d"]["loss_threshold"] and fitted_net >= limits["train_accuracy_min"]
            ),
        ),
    ]
