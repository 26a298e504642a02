"""One GD update of Basri et al.'s shallow net with its gradient written out, compiled by
``torch.compile`` (Inductor) into a few fused loops.

For f(x) = ReLU(xW + b)·a/√m with a fixed, the update needs, per entry of the n × m matrix of
pre-activations, a handful of flops: the forward (pre-activation, ReLU, its sum against a) and
the gradient (mask × residual × a, summed against x and 1). Autograd materialises several n × m
arrays for it (pre-activation, ReLU output, mask, their gradients) and runs each as its own pass;
compiled, the whole update becomes fused loops over the matrix that recompute the
pre-activation instead of storing it (``benchmarks/bench_basri_sweep.py`` measures both beside
the arithmetic floor: 6–13× faster than autograd at the paper's sizes on one core).

The learning times agree with the autograd update's up to float summation order: a loss that
lands within rounding of the threshold may cross it one update earlier or later
(``tests/test_basri_sweeps.py``). Compilation happens once per process and net shape; Inductor
keeps what it compiled in ``TORCHINDUCTOR_CACHE_DIR`` (``train.compile_cache`` in the config), so
later jobs load it in seconds.
"""

from __future__ import annotations

import copy

import torch

from ..models import EnsembleMLP

UPDATES = ("fused", "autograd")
FUSED_LOSSES = ("half_sse", "mse")  # the losses whose gradient is written out below


def supports(model: EnsembleMLP, loss: str, weights: torch.Tensor | None) -> str | None:
    """Why the fused update cannot train this ensemble, or None when it can: one hidden layer, a
    fixed read-out, a squared loss, and every point counted (no padding)."""
    if len(model.weights) != 1 or model.residual:
        return f"it has {len(model.weights)} hidden layers (the fused update is for one)"
    if isinstance(model.readout, torch.nn.Parameter) or model.readout.dim() != 2:
        return "its read-out is trained or has several outputs (the fused update keeps one fixed read-out)"
    if loss not in FUSED_LOSSES:
        return f"its loss is {loss} (the fused update has the gradient of {' and '.join(FUSED_LOSSES)})"
    if weights is not None:
        return "its members have different numbers of points (padding)"
    return None


def _update(weight, bias, readout, x, y, lr: float, mean: bool):
    """Per-member losses at (weight, bias) and the parameters after one GD step.

    weight (E, d, m), bias (E, m) or None, readout (E, m) with its 1/√m scale, x (E, n, d), y (E, n).
    """
    if bias is not None:  # b as the weight of a constant input 1: one pass over d + 1 inputs
        x = torch.cat([x, torch.ones_like(x[:, :, :1])], dim=2)
        weight = torch.cat([weight, bias[:, None, :]], dim=1)
    # Sums over d broadcast, not matmuls: with d ≤ 4 inputs Inductor then fuses the forward and the
    # gradient into loops that recompute the pre-activation instead of writing the n × m array to
    # memory and reading it back four times (a matmul's output is always stored).
    pre = (x[:, :, :, None] * weight[:, None, :, :]).sum(dim=2)
    out = (torch.relu(pre) * readout[:, None, :]).sum(dim=2)
    residual = out - y
    if mean:  # mse: mean r², gradient 2r/n
        loss, dout = (residual * residual).mean(dim=1), residual * (2.0 / y.shape[1])
    else:  # half_sse: ½ Σ r², gradient r
        loss, dout = 0.5 * (residual * residual).sum(dim=1), residual
    grad = (pre > 0).to(x.dtype) * dout[:, :, None] * readout[:, None, :]  # ∂loss/∂pre, (E, n, m)
    new_weight = weight - lr * (x[:, :, :, None] * grad[:, :, None, :]).sum(dim=1)
    if bias is None:
        return loss, new_weight, None
    return loss, new_weight[:, :-1], new_weight[:, -1]


# Inductor stores a buffer read more than 4 times by default; the pre-activation is read by the
# forward sum, the mask and d + 1 gradient sums, and recomputing it is cheaper than storing it.
_compiled = torch.compile(
    _update, dynamic=False, options={"realize_reads_threshold": 64, "realize_acc_reads_threshold": 64}
)


def gd_update(model: EnsembleMLP, x: torch.Tensor, y: torch.Tensor, lr: float, loss: str) -> torch.Tensor:
    """One GD update of every member of `model` in place; returns each member's loss (E,) at
    the parameters before it, as the autograd update does."""
    weight = model.weights[0]
    bias = model.biases[0] if len(model.biases) else None
    inputs = [weight.detach(), None if bias is None else bias.detach(), model.readout * model.readout_scale, x, y]
    if x.shape[0] > 1:  # a batch shrinks as members finish: one compilation for every size
        for tensor in (t for t in inputs if t is not None):
            torch._dynamo.mark_dynamic(tensor, 0)
    with torch.no_grad():
        try:
            values, new_weight, new_bias = _compiled(*inputs, lr, loss == "mse")
        except torch._dynamo.exc.BackendCompilerFailed as err:
            raise RuntimeError(
                f"torch.compile could not build the fused Basri update ({err.__class__.__name__}: "
                f"{str(err).splitlines()[0]}). Inductor needs a C++ compiler on a CPU: install one, "
                "or set `update: autograd` in the experiment's config."
            ) from err
        weight.copy_(new_weight)
        if bias is not None:
            bias.copy_(new_bias)
    return values


_warm: set[tuple] = set()


def warm_up(model: EnsembleMLP, x: torch.Tensor, y: torch.Tensor, lr: float, loss: str) -> None:
    """Compile the update for this shape (or load it from the cache) on a copy of the net, once
    per process, so that a loop's timed updates hold no compilation (``training.timing``)."""
    key = (tuple(x.shape), tuple(model.weights[0].shape), x.device, x.dtype, lr, loss)
    if key not in _warm:
        gd_update(copy.deepcopy(model), x, y, lr, loss)
        _warm.add(key)
