"""Effective inputs of a learning component: what a named module receives (XZ20).

A network splits into a pre-condition component and a learning component; the learning
component's effective target is (the input it receives, the labels). Forward pre-hooks read
that input without changing the model: for ``models.mlp.MLP`` the input of ``net.{2 l}`` (the
l-th linear layer, ``linear_layer_names(mlp)[l]``) is the output of hidden layer ``l`` (``l = 0``:
the raw input); for ``models.resnet.ResNet18`` the input of ``head`` is S[−3], the pooled
features the three fully connected layers learn from.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["linear_layer_names", "module_inputs"]


def linear_layer_names(model: nn.Module) -> list[str]:
    """Names of ``model``'s ``nn.Linear`` modules in registration order (for MLPs and the heads
    here, the order they run in)."""
    return [name for name, module in model.named_modules() if isinstance(module, nn.Linear)]


@torch.no_grad()
def module_inputs(
    model: nn.Module, inputs: torch.Tensor, names: Sequence[str], batch_size: int = 1000
) -> dict[str, torch.Tensor]:
    """``{name: input of module name}``, flattened to (n, features), for ``inputs`` (n, ...).

    Runs in evaluation mode (batch norm on its running statistics, as when the model is tested)
    and restores the mode; ``batch_size`` samples at a time on the model's device, where the
    results stay (so a GPU filter can use them in place). Each named module must run exactly
    once per forward.
    """
    modules = dict(model.named_modules())
    unknown = [name for name in names if name not in modules]
    if unknown:
        raise KeyError(f"no module named {unknown} in {type(model).__name__}; modules: {list(modules)[1:]}")
    captured: dict[str, list[torch.Tensor]] = {name: [] for name in names}

    def recorder(name: str):
        def hook(module, args):
            # a copy: the module (an in-place ReLU, say) may overwrite its input after the hook
            captured[name].append(args[0].detach().flatten(1).clone())

        return hook

    handles = [modules[name].register_forward_pre_hook(recorder(name)) for name in names]
    device = next(model.parameters()).device
    training = model.training
    model.eval()
    try:
        n_batches = 0
        for start in range(0, len(inputs), batch_size):
            model(inputs[start : start + batch_size].to(device))
            n_batches += 1
    finally:
        for handle in handles:
            handle.remove()
        model.train(training)
    for name, parts in captured.items():
        if len(parts) != n_batches:
            raise ValueError(f"module {name!r} ran {len(parts)} times in {n_batches} forward passes, not once per pass")
    return {name: torch.cat(parts) for name, parts in captured.items()}
