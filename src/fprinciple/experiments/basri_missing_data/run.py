"""basri_missing_data, the run side — BJKK19 fig. 1 (right): a wide two-layer ReLU net trained on sin 6θ at
points that leave a gap on the circle, and what it puts into the gap.

Setting (authors' Missing_Data/mainAndPlot.py, gen_data.py): `points` evenly spaced angles on
[−π, −w] ∪ [w, π] (w = 5π/12: a gap of 150° around θ = 0), x = (cos θ, sin θ), y = sin kθ
(not normalised); one hidden ReLU layer, weights Kaiming-normal (a = √5), trained biases, a
trained read-out without bias (Kaiming-normal, a = √5); full-batch GD on ½·Σ(f − y)², stopped
once loss / loss(f = 0) < `relative_loss_threshold` or after `steps`.

The runs vary the hidden biases' initialisation (the authors' `hidden_bias` option): "zeros" is
the authors' run; "normal" draws them at the weights' scale. With zero biases and a read-out of
std 1/√(3m) the biases barely move, so the net stays effectively bias-free: a linear (k = 1)
part plus a part even under θ → θ + π (BJKK19 §4: no odd k ≥ 3). The gap maps onto the data
under θ → θ + π, so such a net copies sin 6θ into the gap; with a real bias the gap is filled
with a smooth, low-frequency curve.

Logged: the target on the training points (step 0), the training loss at every logged step, and
the output on `grid_points` evenly spaced angles over the whole circle at the snapshot steps and
at the last step.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ...models import authors_relu_net, evaluate
from ...targets.sphere import circle_angles, missing_arc_angles, on_circle, sine
from ...training import RunContext, TrainResult, TrainSpec
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs


def runs(cfg: dict) -> dict[str, dict]:
    """One job per hidden-bias initialisation, a net per seed (one after another or batched)."""
    return seed_jobs(cfg, hidden_bias=cfg["hidden_bias"])


def problem(cfg: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training angles, the target on them, and the dense evaluation grid over the whole circle."""
    theta = missing_arc_angles(cfg["points"], cfg["gap_half_width"])
    grid = circle_angles(cfg["grid_points"], "even")
    return theta, sine(theta, cfg["frequency"]), grid


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    theta, y, grid = problem(cfg)
    inputs = torch.as_tensor(on_circle(theta), dtype=torch.float32, device=ctx.device)
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    grid_inputs = torch.as_tensor(on_circle(grid), dtype=torch.float32, device=ctx.device)
    snapshots = tuple(cfg["snapshot_steps"])

    def hook(step: int, net: nn.Module, last: bool):
        if step == 0:
            yield "target", theta, y
        if step in snapshots or last:
            yield "output", grid, evaluate(net, grid_inputs)

    zero_loss = 0.5 * float(np.sum(y**2))  # the loss of f = 0, the authors' reference
    spec = TrainSpec(
        steps=cfg["steps"],
        lr=cfg["lr"],
        optimizer="gd",
        loss="half_sse",
        loss_threshold=cfg["relative_loss_threshold"] * zero_loss,
        log_every=cfg["log_every"],
        log_steps=snapshots,
    )
    members = []
    for seed in variant["seeds"]:
        torch.manual_seed(seed)
        model = authors_relu_net(2, cfg["model"]["hidden"], variant["hidden_bias"]).to(ctx.device)
        members.append(Member(seed, model, inputs, targets, hooks=[hook]))
    return train_seeds(members, spec, ctx, batched(cfg["ensemble"], ctx.device))
