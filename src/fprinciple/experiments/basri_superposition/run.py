"""basri_superposition, the run side — BJKK19 fig. 2: a deep ReLU net fits y = sin 4θ + sin 14θ on the circle;
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
import torch
from torch import nn

from ...models import authors_relu_net, evaluate
from ...targets.sphere import circle_angles, on_circle, sine, unit_norm
from ...training import RunContext, TrainResult, TrainSpec
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs

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
    return train_seeds(members, spec, ctx, batched(cfg["ensemble"], ctx.device))
