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

from ...families.classify import dataset_caption

PAPER_FIGURE = "Xu 2018 (arXiv:1808.04295): small vs large initialisation, 1-D fits and MNIST test accuracy"


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
