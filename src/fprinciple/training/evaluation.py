"""Forward passes over evaluation sets, and a rehearsal's cap on the samples they run on.

A rehearsal (``fprinciple.rehearsal``) runs a config's nets and data at full size for a few steps,
but a single log of the papers' settings may evaluate a ResNet-18 on 50,000 images, longer than
the whole rehearsal may take. Inside ``capped(m)`` (the runner enters it for
``RunContext.eval_samples``), ``forward(fn, x)`` runs ``fn`` on the first ``m`` rows of ``x``
only and repeats their outputs to ``len(x)`` rows. Everything downstream (accuracies, spectra,
filters, RDFs) then runs at full size on arrays of the usual shapes, with values that mean
nothing (a rehearsal's claims are not evidence). The samples skipped would have cost the
measured time × (n/m − 1), a forward pass being linear in its samples; that time goes to
``timing`` so the cost table counts a full log. Outside ``capped`` (every real run) ``forward``
is just ``fn(x)``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

import torch

from . import timing

Output = TypeVar("Output", torch.Tensor, dict)
_CAP: ContextVar[int | None] = ContextVar("evaluation_cap", default=None)


@contextmanager
def capped(samples: int | None) -> Iterator[None]:
    """Forward passes inside run on at most ``samples`` rows of their inputs (None: all)."""
    token = _CAP.set(samples)
    try:
        yield
    finally:
        _CAP.reset(token)


def _repeated(out, n: int):
    if isinstance(out, dict):
        return {key: _repeated(value, n) for key, value in out.items()}
    return out.repeat(math.ceil(n / len(out)), *([1] * (out.dim() - 1)))[:n]


def forward(fn: Callable[[torch.Tensor], Output], x: torch.Tensor) -> Output:
    """``fn(x)`` (a tensor, or a dict of tensors, with one row per row of ``x``), or under
    ``capped(m)`` ``fn(x[:m])`` repeated to ``len(x)`` rows, its skipped cost sent to ``timing``."""
    cap, n = _CAP.get(), len(x)
    if cap is None or n <= cap:
        return fn(x)
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(x[:cap])
    scale = n / cap - 1
    timing.skipped(scale * (time.process_time() - cpu), scale * (time.perf_counter() - wall))
    return _repeated(out, n)
