"""Checkpoints: written atomically, read without running code, resumed only under the settings
they were written with.

A checkpoint holds tensors and plain values only (numbers, strings, None, lists, tuples, dicts)
and is read with ``torch.load(weights_only=True)``, so a file planted in a shared results or
scratch folder cannot run code when a run resumes: one holding any other object is refused
(``CheckpointRefused``) before any of it runs. The loops keep their state in those types (numpy
arrays as tensors, numpy scalars as Python numbers).

A checkpoint carries the run's records so far: tens of thousands of (step, learner, metric,
keys, values) tuples for a run that logs every update, each with two small arrays. Pickled one
by one they made the checkpoints a seventh of such a job's CPU time, so they are saved as a few
flat columns and unpacked, value for value, on loading.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import torch

from ..errors import UserError
from ..io import atomic_path
from .context import RunContext


class CheckpointRefused(UserError):
    """A checkpoint holding objects other than tensors and plain values: loading it could run code."""


def _packed(records: list[tuple]) -> dict:
    """A run's (step, learner, metric, keys, values) records (1-D float64 keys and values of equal
    length) as flat columns: steps, learners, metrics, the length of each record's values, and
    every record's keys and values one after another."""
    for record in records:
        *_, keys, values = record
        if not (
            isinstance(keys, np.ndarray)
            and isinstance(values, np.ndarray)
            and values.ndim == 1
            and keys.shape == values.shape
            and keys.dtype == values.dtype == np.float64
        ):
            raise TypeError(f"a record's keys and values must be 1-D float64 arrays of equal length: {record}")
    return {
        "steps": torch.tensor([step for step, *_ in records], dtype=torch.int64),
        "learners": _coded([learner for _, learner, *_ in records]),
        "metrics": _coded([metric for _, _, metric, *_ in records]),
        "sizes": torch.tensor([len(values) for *_, values in records], dtype=torch.int64),
        "keys": torch.from_numpy(np.concatenate([keys for *_, keys, _ in records] or [np.empty(0)])),
        "values": torch.from_numpy(np.concatenate([values for *_, values in records] or [np.empty(0)])),
    }


def _unpacked(columns: dict) -> list[tuple]:
    bounds = np.cumsum(columns["sizes"].numpy())[:-1]
    keys, values = np.split(columns["keys"].numpy(), bounds), np.split(columns["values"].numpy(), bounds)
    learners, metrics = _decoded(columns["learners"]), _decoded(columns["metrics"])
    return list(zip(columns["steps"].tolist(), learners, metrics, keys, values))


def _coded(names: list[str]) -> dict:
    """Names that repeat (a few learners and metrics over thousands of records) as the distinct
    ones and a code each: a long list of strings is slow to load with ``weights_only``."""
    distinct = list(dict.fromkeys(names))
    code = {name: i for i, name in enumerate(distinct)}
    return {"names": distinct, "codes": torch.tensor([code[name] for name in names], dtype=torch.int32)}


def _decoded(coded: dict) -> list[str]:
    names = coded["names"]
    return [names[i] for i in coded["codes"].tolist()]


def _members(records: list) -> bool:
    """Whether ``records`` is a list of runs' records (one per ensemble member), not one run's."""
    return bool(records) and all(isinstance(r, list) for r in records)


def _foreign_objects(path: Path) -> str:
    """The objects in ``path`` that are not tensors or plain values, found without unpickling them."""
    try:
        return ", ".join(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except ValueError:  # a plain pickle, not a file torch.save wrote
        return "a pickle not written by torch.save"


def read(path: Path) -> dict:
    """The state saved at ``path``, records unpacked, whatever the settings it was written under.

    Raises ``CheckpointRefused`` for a file holding anything but tensors and plain values (a
    checkpoint of fprinciple before they were safe to load, or one planted by someone else).
    """
    try:
        state = torch.load(path, weights_only=True)
    except pickle.UnpicklingError:
        raise CheckpointRefused(
            f"checkpoint {path} holds objects other than tensors and plain values ({_foreign_objects(path)}), "
            "so it was not loaded: loading it could run code. Delete it; the run then restarts from scratch."
        ) from None
    if isinstance(state.get("records"), dict):
        state["records"] = _unpacked(state["records"])
    elif isinstance(state.get("records"), list):
        state["records"] = [_unpacked(columns) for columns in state["records"]]
    return state


def _earlier_format(path: Path) -> bool:
    """Whether ``path`` holds only what fprinciple's checkpoints held before they were safe to load
    (numpy objects, ``PackedRecords``), found without unpickling it."""
    try:
        names = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    except ValueError:
        return False
    return bool(names) and all(name.startswith("numpy") or name.endswith("checkpoint.PackedRecords") for name in names)


def load(ctx: RunContext) -> dict | None:
    """The state saved at ``ctx.checkpoint`` if it belongs to this run's settings, else None. One
    written by an earlier fprinciple is ignored unread, like one of other settings, so an upgrade
    reruns its jobs instead of failing them; anything else that is not safe to load is refused."""
    if ctx.checkpoint is None or not ctx.checkpoint.exists():
        return None
    try:
        state = read(ctx.checkpoint)
    except CheckpointRefused:
        if not _earlier_format(ctx.checkpoint):
            raise
        print(f"ignoring checkpoint {ctx.checkpoint}: written by an earlier fprinciple", file=sys.stderr)
        return None
    if state.get("fingerprint") != ctx.fingerprint:
        print(f"ignoring checkpoint {ctx.checkpoint}: written under other settings", file=sys.stderr)
        return None
    return state


def save(ctx: RunContext, state: dict) -> None:
    """Write ``state`` (tensors and plain values; ``records`` one run's or a list of runs') tagged
    with the run's fingerprint to ``ctx.checkpoint``; no-op without one."""
    if ctx.checkpoint is None:
        return
    if "records" in state:
        records = state["records"]
        state = {**state, "records": [_packed(r) for r in records] if _members(records) else _packed(records)}
    with atomic_path(ctx.checkpoint) as tmp:
        torch.save({**state, "fingerprint": ctx.fingerprint}, tmp)
