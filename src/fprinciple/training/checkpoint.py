"""Checkpoints: written atomically, resumed only under the settings they were written with."""

from __future__ import annotations

import sys

import torch

from ..io import atomic_path
from .context import RunContext


def load(ctx: RunContext) -> dict | None:
    """The state saved at ``ctx.checkpoint`` if it belongs to this run's settings, else None."""
    if ctx.checkpoint is None or not ctx.checkpoint.exists():
        return None
    state = torch.load(ctx.checkpoint, weights_only=False)
    if state.get("fingerprint") != ctx.fingerprint:
        print(f"ignoring checkpoint {ctx.checkpoint}: written under other settings", file=sys.stderr)
        return None
    return state


def save(ctx: RunContext, state: dict) -> None:
    """Write ``state`` (tagged with the run's fingerprint) to ``ctx.checkpoint``; no-op without one."""
    if ctx.checkpoint is None:
        return
    with atomic_path(ctx.checkpoint) as tmp:
        torch.save({**state, "fingerprint": ctx.fingerprint}, tmp)
