"""basri_superposition — BJKK19 fig. 2: a deep ReLU net fits y = sin 4θ + sin 14θ on the circle;
the sin 4θ component is fitted long before the sin 14θ component.

Setting (authors' Superposition/main.ipynb): n evenly spaced points θ on S¹, inputs
x = (cos θ, sin θ), target Σ_k sin kθ scaled to unit norm over the sample; `depth` hidden ReLU
layers, weights Kaiming-normal (a = √5, i.e. std 1/√(3 fan_in)), hidden biases zero at init and
trained, a trained linear read-out without bias; full-batch GD on ½·Σ(f − y)², stopped once the
loss is below `loss_threshold` or after `steps`.

Every logged step records the projection ⟨f, u_k⟩ of the output on each unit-norm component
u_k = sin kθ / ‖sin kθ‖ (the target's own coefficients are logged once at step 0); the output
itself is logged at the snapshot steps and at the last step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from ...claims import Claim
from ...models import authors_relu_net, evaluate
from ...spectral.dft import convergence_steps
from ...targets.sphere import circle_angles, on_circle, sine, unit_norm
from ...training import RunContext, TrainResult, TrainSpec
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs

PAPER_FIGURE = "Basri et al., NeurIPS 2019, fig. 2 (superposition of sin 4θ and sin 14θ)"


def dataset(cfg: dict) -> str:
    return "synthetic: evenly spaced points on the circle S¹, y = sin 4θ + sin 14θ normalised to unit norm"


runs = seed_jobs  # one job: a net per seed, one after another or batched (``ensemble``)


def problem(cfg: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """θ, the unit-norm target y, the frequencies k and the unit-norm components u_k (rows)."""
    theta = circle_angles(cfg["points"], "even")
    ks = np.asarray(cfg["frequencies"], dtype=np.float64)
    components = np.stack([unit_norm(sine(theta, k)) for k in ks])
    y = unit_norm(sum(sine(theta, k) for k in ks))
    return theta, y, ks, components


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    theta, y, ks, components = problem(cfg)
    inputs = torch.as_tensor(on_circle(theta), dtype=torch.float32, device=ctx.device)
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    snapshots = tuple(cfg["snapshot_steps"])

    def hook(step: int, net: nn.Module, last: bool):
        f = evaluate(net, inputs)
        if step == 0:
            yield "target", theta, y
            yield "target_coefficient", ks, components @ y
        yield "coefficient", ks, components @ f
        if step in snapshots or last:
            yield "output", theta, f

    spec = TrainSpec(
        steps=cfg["steps"],
        lr=cfg["lr"],
        optimizer="gd",
        loss="half_sse",
        loss_threshold=cfg["loss_threshold"],
        log_every=cfg["log_every"],
        log_steps=snapshots,
    )
    members = []
    for seed in variant["seeds"]:
        torch.manual_seed(seed)
        members.append(
            Member(seed, authors_relu_net(2, cfg["model"]["hidden"]).to(ctx.device), inputs, targets, hooks=[hook])
        )
    return train_seeds(members, spec, ctx, batched(cfg.get("ensemble", "auto"), ctx.device))


def fitted_steps(metrics: pd.DataFrame, fraction: float) -> pd.DataFrame:
    """Per run and frequency k: the first logged step from which ⟨f, u_k⟩ stays above `fraction`
    of the target's ⟨y, u_k⟩ to the end of the run (NaN: never; a transient crossing does not
    count), and the last step the run reached."""
    rows = []
    for seed, group in metrics.groupby("seed", sort=True):
        target = group[group["metric"] == "target_coefficient"].set_index("key")["value"]
        coefficient = group[group["metric"] == "coefficient"]
        last = int(group["step"].max())
        for k, history in coefficient.groupby("key", sort=True):
            history = history.sort_values("step")
            shortfall = 1.0 - history["value"].to_numpy() / target[k]
            at = convergence_steps(history["step"].to_numpy(), shortfall[:, None], 1.0 - fraction)[0]
            rows.append((seed, int(k), float(at), last))
    return pd.DataFrame(rows, columns=["seed", "k", "fitted_at", "last_step"])


def relative_errors(metrics: pd.DataFrame) -> pd.Series:
    """Per seed: ‖f − y‖/‖y‖ at the last step."""
    errors = {}
    for seed, group in metrics.groupby("seed", sort=True):
        y = group[group["metric"] == "target"].sort_values("key")["value"].to_numpy()
        outputs = group[group["metric"] == "output"]
        f = outputs[outputs["step"] == outputs["step"].max()].sort_values("key")["value"].to_numpy()
        errors[seed] = np.linalg.norm(f - y) / np.linalg.norm(y)
    return pd.Series(errors, dtype=float)


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    fraction, ratio = limits["fraction"], limits["ratio_min"]
    table = fitted_steps(metrics, fraction)
    k_low, k_high = cfg["frequencies"][0], cfg["frequencies"][-1]

    holds, described = [], []
    for seed, group in table.groupby("seed", sort=True):
        at = group.set_index("k")["fitted_at"]
        t_low, t_high, last = at.get(k_low, np.nan), at.get(k_high, np.nan), int(group["last_step"].iloc[0])
        if not np.isfinite(t_low):
            holds.append(False)
            described.append(f"seed {seed}: sin {k_low}θ not fitted by step {last}")
            continue
        # A component not fitted within the run is fitted after its last step, at the earliest.
        high = t_high if np.isfinite(t_high) else last + 1
        holds.append(bool(high > t_low and high >= ratio * t_low))
        high_text = f"{int(t_high)}" if np.isfinite(t_high) else f"not by step {last}"
        ratio_text = "∞" if t_low == 0 else f"{'' if np.isfinite(t_high) else '> '}{high / t_low:.1f}"
        described.append(f"seed {seed}: t(k={k_low}) = {int(t_low)}, t(k={k_high}) = {high_text}, ratio {ratio_text}")

    errors = relative_errors(metrics)
    error_max = limits["final_error_max"]
    return [
        Claim(
            claim="low_component_fitted_first",
            statement=f"the sin {k_low}θ component is fitted long before the sin {k_high}θ component",
            measured="; ".join(described),
            threshold=(
                f"t(k) = first logged step from which ⟨f,u_k⟩ > {fraction}·⟨y,u_k⟩ to the end of the run; "
                f"t(k={k_high}) ≥ {ratio}·t(k={k_low})"
            ),
            passed=all(holds) if holds else None,
        ),
        Claim(
            claim="final_output_fits_target",
            statement="training ends with the whole target fitted, both components included",
            measured=f"‖f−y‖/‖y‖ = {errors.max():.3f} at the last step (worst run)",
            threshold=f"< {error_max}",
            passed=bool((errors < error_max).all()) if len(errors) else None,
        ),
    ]
