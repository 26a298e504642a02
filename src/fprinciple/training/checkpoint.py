"""Checkpoints: written atomically, resumed only under the settings they were written with.

A checkpoint carries the run's records so far: tens of thousands of (step, learner, metric,
keys, values) tuples for a run that logs every update, each with two small arrays. Pickled one
by one they made the checkpoints a seventh of such a job's CPU time, so they are saved as a few
flat arrays (``PackedRecords``) and unpacked, value for value, on loading.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import torch

from ..io import atomic_path
from .context import RunContext


@dataclass
class PackedRecords:
    """A list of (step, learner, metric, keys, values) records (1-D float64 keys and values of equal
    length) as flat columns: one array per column and the length of each record's values."""

    steps: np.ndarray
    learners: list[str]
    metrics: list[str]
    sizes: np.ndarray
    keys: np.ndarray
    values: np.ndarray

    @classmethod
    def pack(cls, records: list[tuple]):
        """The packed records, or ``records`` itself when one is not of that form."""
        flat = all(isinstance(keys, np.ndarray) and isinstance(values, np.ndarray) and values.ndim == 1
                   and keys.shape == values.shape and keys.dtype == values.dtype == np.float64
                   for *_, keys, values in records)
        if not records or not flat:
            return records
        return cls(steps=np.array([step for step, *_ in records], dtype=np.int64),
                   learners=[learner for _, learner, *_ in records],
                   metrics=[metric for _, _, metric, *_ in records],
                   sizes=np.array([len(values) for *_, values in records], dtype=np.int64),
                   keys=np.concatenate([keys for *_, keys, _ in records]),
                   values=np.concatenate([values for *_, values in records]))

    def unpack(self) -> list[tuple]:
        bounds = np.cumsum(self.sizes)[:-1]
        return list(zip(self.steps.tolist(), self.learners, self.metrics,
                        np.split(self.keys, bounds), np.split(self.values, bounds)))


def _packed(records):
    """``records`` (a run's list of records, or a list of such lists, one per member) packed."""
    if records and all(isinstance(r, list) for r in records):
        return [_packed(r) for r in records]
    return PackedRecords.pack(records)


def _unpacked(records):
    if isinstance(records, PackedRecords):
        return records.unpack()
    if isinstance(records, list) and any(isinstance(r, (list, PackedRecords)) for r in records):
        return [_unpacked(r) for r in records]
    return records


def load(ctx: RunContext) -> dict | None:
    """The state saved at ``ctx.checkpoint`` if it belongs to this run's settings, else None."""
    if ctx.checkpoint is None or not ctx.checkpoint.exists():
        return None
    state = torch.load(ctx.checkpoint, weights_only=False)
    if state.get("fingerprint") != ctx.fingerprint:
        print(f"ignoring checkpoint {ctx.checkpoint}: written under other settings", file=sys.stderr)
        return None
    if "records" in state:
        state["records"] = _unpacked(state["records"])
    return state


def save(ctx: RunContext, state: dict) -> None:
    """Write ``state`` (tagged with the run's fingerprint) to ``ctx.checkpoint``; no-op without one."""
    if ctx.checkpoint is None:
        return
    if "records" in state:
        state = {**state, "records": _packed(state["records"])}
    with atomic_path(ctx.checkpoint) as tmp:
        torch.save({**state, "fingerprint": ctx.fingerprint}, tmp)
