"""Filtering method for high-dimensional inputs (Xu et al., section 1.5.5, eqs. 1.10-1.13).

The low-frequency part of a function sampled at the training inputs is its normalised Gaussian
smoothing over those same inputs,

    y_low_i = sum_j y_j G_ij / sum_j G_ij,   G_ij = exp(-|x_i - x_j|^2 / (2 delta)),

and ``y_high = y - y_low``. Convolving with a Gaussian of variance ``delta`` multiplies the
Fourier mode of angular frequency ``w`` by ``exp(-delta w^2 / 2)``, so ``delta`` sets the cutoff:
large ``delta`` keeps only the lowest frequencies. Training logs

    e_low = ||y_low - h_low|| / ||y_low||,   e_high = ||y_high - h_high|| / ||y_high||

(Frobenius norms over samples x outputs) for the network output ``h`` many times, while the
inputs never change; ``GaussianFilter`` therefore pays for the ``O(n^2 d)`` pairwise distances
once per dataset and caches the target's low-pass parts.

Memory strategy (chosen automatically from ``memory_budget``, first that fits):

* ``"kernels"``: every ``G`` (one ``n x n`` matrix per ``delta``) is stored; an evaluation is one
  matrix product per ``delta``.
* ``"distances"``: the ``n x n`` squared-distance matrix is stored; each evaluation
  exponentiates it one row chunk at a time, per ``delta``.
* ``"recompute"``: only the inputs are stored; each evaluation recomputes the distances chunk
  by chunk (``O(n^2 d)`` every time, but memory ``O(chunk * n + n d)``).

The plan fills the budget, less a headroom of 1/8 of it (at least 16 MiB), with the centred
copy of the inputs, the cache and two ``chunk x n`` work buffers; the headroom absorbs the
``O(n C)`` values and results, temporaries and BLAS workspace. With the 1 GiB default and
float64, MNIST subsets up to n = 10,000 (d = 784) use the ``"distances"`` strategy (800 MB cache).

Precision: float64 by default on the CPU, float32 on CUDA. Distances are formed as
``|a|^2 + |b|^2 - 2 a.b`` (a matrix product, fast), which cancels catastrophically for nearby
points; an error ``e`` in a distance becomes a relative error ``e / (2 delta)`` in the kernel,
and on the CPU the factor-2 cost of float64 is worth results that are stable to round-off across
chunkings and strategies. GPUs are much slower in float64 than float32, hence float32 there;
the inputs are centred first, which shrinks ``|a|^2`` and with it the cancellation, and
self-distances are set to exactly 0 so every row of ``G`` sums to at least 1 (no 0/0, however
small ``delta``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

__all__ = ["GaussianFilter", "STRATEGIES", "DEFAULT_MEMORY_BUDGET"]

STRATEGIES = ("kernels", "distances", "recompute")
DEFAULT_MEMORY_BUDGET = 2**30
# Smallest row chunk a strategy must leave room for to be chosen automatically: thinner chunks
# make the matrix products inefficient for no gain.
_MIN_AUTO_CHUNK = 128
# Budget left for what the plan does not count: the O(n C) values and results, small
# temporaries and BLAS/OpenMP workspace (a few MiB whatever the budget, hence the floor).
_HEADROOM_FRACTION = 1 / 8
_HEADROOM_MIN = 16 * 2**20
# On the CPU, the default row chunk keeps a kernel block near this size, so its exponentials and
# matrix product run in cache: 30-50% less time than budget-sized chunks at n = 1000 to 5000
# (benchmarks/bench_rdf.py).
_CPU_BLOCK_BYTES = 4 * 2**20


def _exp_(x: torch.Tensor) -> torch.Tensor:
    """``x.exp_()``; on the CPU through NumPy, whose float64 exp took 1.3-1.8x less time than
    torch's (torch 2.13, NumPy 2.4, AVX-512; the two differ by at most an ulp): the exponentials
    are most of a filter's time."""
    if x.device.type == "cpu" and x.is_contiguous():
        array = x.numpy()
        np.exp(array, out=array)
        return x
    return x.exp_()


class GaussianFilter:
    """Gaussian low-pass filters over a fixed set of inputs, one per ``delta``.

    ``x`` (n, ...) is flattened per sample. ``device`` defaults to ``x``'s device and ``dtype`` to
    float64 on the CPU, float32 elsewhere. ``strategy="auto"`` picks the first of
    ``STRATEGIES`` that fits ``memory_budget`` (bytes); naming a strategy overrides the budget
    (then at least ``_MIN_AUTO_CHUNK`` rows are used). ``chunk_size`` (rows per block) defaults to
    the largest that fits the budget, on the CPU at most a cache-sized block (``_CPU_BLOCK_BYTES``).
    """

    def __init__(
        self,
        x,
        deltas: Sequence[float],
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
        chunk_size: int | None = None,
        strategy: str = "auto",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        x = torch.as_tensor(x).detach()
        self.device = torch.device(device) if device is not None else x.device
        self.dtype = dtype or (torch.float64 if self.device.type == "cpu" else torch.float32)
        self.deltas = tuple(float(d) for d in deltas)
        if not self.deltas or min(self.deltas) <= 0:
            raise ValueError(f"deltas must be a non-empty sequence of positive numbers, got {deltas}")
        n = self.n = len(x)
        x = x.reshape(n, -1).to(device=self.device, dtype=self.dtype, copy=True)
        self.strategy, self.chunk_size = self._plan(x.shape[1], memory_budget, chunk_size, strategy)

        self._x = x.sub_(x.mean(dim=0))
        self._sq = torch.linalg.vector_norm(self._x, dim=1).square_()  # no n x d temporary
        self._dist = self._kernels = None
        self._target = self._target_low = None
        if self.strategy == "distances":
            self._dist = torch.empty(n, n, device=self.device, dtype=self.dtype)
            for rows in self._row_chunks():
                self._distance_block(rows, out=self._dist[rows])
        elif self.strategy == "kernels":
            self._kernels = {d: torch.empty(n, n, device=self.device, dtype=self.dtype) for d in self.deltas}
            buf = torch.empty(self.chunk_size, n, device=self.device, dtype=self.dtype)
            for rows in self._row_chunks():
                dist = self._distance_block(rows, out=buf[: rows.stop - rows.start])
                for d, kernel in self._kernels.items():
                    _exp_(torch.mul(dist, -0.5 / d, out=kernel[rows]))
        if self.strategy != "recompute":
            self._x = self._sq = None  # the cache replaces the inputs
        # Work buffers (kernel block; distance block) live as long as the filter: allocating them
        # per evaluation would cost time and fragment the heap (peak RSS above the plan).
        n_buffers = {"kernels": 0, "distances": 1, "recompute": 2}[self.strategy]
        self._work = torch.empty(n_buffers, self.chunk_size, n, device=self.device, dtype=self.dtype)

    def _plan(self, dim: int, budget: int, chunk_size: int | None, strategy: str) -> tuple[str, int]:
        """Strategy and row chunk such that inputs + cache + two work buffers fit ``budget``."""
        n, item = self.n, self.dtype.itemsize
        resident = {
            "kernels": n * dim * item + len(self.deltas) * n * n * item,
            "distances": n * dim * item + n * n * item,
            "recompute": n * dim * item,
        }
        row_bytes = 2 * n * item
        usable = budget - max(int(budget * _HEADROOM_FRACTION), _HEADROOM_MIN)
        if strategy == "auto":
            min_rows = chunk_size or min(n, _MIN_AUTO_CHUNK)
            fits = [s for s in STRATEGIES if resident[s] + min_rows * row_bytes <= usable]
            if not fits:
                raise ValueError(
                    f"memory_budget={budget} B minus headroom cannot hold {n} inputs of dimension "
                    f"{dim} plus {min_rows}-row work buffers ({resident['recompute'] + min_rows * row_bytes} B)"
                )
            strategy = fits[0]
        elif strategy not in STRATEGIES:
            raise ValueError(f"strategy must be 'auto' or one of {STRATEGIES}, got {strategy!r}")
        if chunk_size is None:
            chunk_size = max((usable - resident[strategy]) // row_bytes, _MIN_AUTO_CHUNK)
            if self.device.type == "cpu":
                chunk_size = min(chunk_size, max(_CPU_BLOCK_BYTES // (n * item), _MIN_AUTO_CHUNK))
        return strategy, int(min(max(chunk_size, 1), n))

    def _row_chunks(self):
        for start in range(0, self.n, self.chunk_size):
            yield slice(start, min(start + self.chunk_size, self.n))

    def _distance_block(self, rows: slice, out: torch.Tensor) -> torch.Tensor:
        """Squared distances from inputs ``rows`` to all inputs, written into ``out``."""
        torch.addmm(self._sq[None, :], self._x[rows], self._x.T, beta=1, alpha=-2, out=out)
        out.add_(self._sq[rows, None]).clamp_(min=0)
        out.diagonal(offset=rows.start).zero_()
        return out

    def _smoothed_blocks(self, values: torch.Tensor):
        """Yield ``(rows, delta, low)``: the low-pass part of ``values`` (n, C) on a row chunk.

        The normaliser ``sum_j G_ij`` rides along as an extra column of ones, so it costs one
        column of the product rather than a second pass.
        """
        # (C+1, n) @ kernel.T: about a quarter faster on the CPU than kernel @ (n, C+1).
        ext_t = torch.cat([values, torch.ones(self.n, 1, device=self.device, dtype=self.dtype)], dim=1).T.contiguous()
        for rows in self._row_chunks():
            m = rows.stop - rows.start
            if self.strategy == "recompute":
                dist = self._distance_block(rows, out=self._work[1, :m])
            elif self.strategy == "distances":
                dist = self._dist[rows]
            for d in self.deltas:
                if self.strategy == "kernels":
                    kernel = self._kernels[d][rows]
                else:
                    kernel = _exp_(torch.mul(dist, -0.5 / d, out=self._work[0, :m]))
                sums = (ext_t @ kernel.T).T
                yield rows, d, sums[:, :-1] / sums[:, -1:]

    def _as_columns(self, values) -> torch.Tensor:
        return torch.as_tensor(values).detach().to(device=self.device, dtype=self.dtype).reshape(self.n, -1)

    @torch.no_grad()
    def low_pass(self, values) -> dict[float, torch.Tensor]:
        """``{delta: values_low}`` for ``values`` (n,) or (n, C); same shape as ``values``."""
        shape = torch.as_tensor(values).shape
        cols = self._as_columns(values)
        low = {d: torch.empty_like(cols) for d in self.deltas}
        for rows, d, block in self._smoothed_blocks(cols):
            low[d][rows] = block
        return {d: v.reshape(shape) for d, v in low.items()}

    @torch.no_grad()
    def low_pass_energy(self, values) -> dict[float, float]:
        """``{delta: sum_i |values_low_i|^2}`` (summed over outputs too), accumulated chunk by
        chunk in float64: what the low-frequency ratio needs, without the ``n x C`` result per
        ``delta`` that ``low_pass`` keeps (outside the memory plan for long ``delta`` grids)."""
        index = {d: i for i, d in enumerate(self.deltas)}
        energy = torch.zeros(len(self.deltas), device=self.device, dtype=torch.float64)
        for _, d, block in self._smoothed_blocks(self._as_columns(values)):
            energy[index[d]] += block.square().sum(dtype=torch.float64)
        return dict(zip(self.deltas, energy.tolist()))

    @torch.no_grad()
    def errors(self, target, output) -> dict[float, tuple[float, float]]:
        """``{delta: (e_low, e_high)}`` of ``output`` against ``target`` (eqs. 1.12-1.13).

        By linearity ``y_low - h_low`` is the low-pass part of the residual ``y - h``, which is
        what gets filtered: it is exact (zero) for ``h == y`` and avoids cancelling two large
        low-pass parts. The target's low-pass parts are cached and reused while the same target
        (by value) is passed, so a training log filters one set of columns. A target with no low
        (high) part gives an infinite or NaN ``e_low`` (``e_high``).
        """
        target = torch.as_tensor(target).detach().to(device=self.device, dtype=self.dtype)
        output = torch.as_tensor(output).detach().to(device=self.device, dtype=self.dtype)
        if target.shape != output.shape:
            raise ValueError(f"target {tuple(target.shape)} and output {tuple(output.shape)} differ")
        y = target.reshape(self.n, -1)
        residual = y - output.reshape(self.n, -1)
        if self._target is None or self._target.shape != y.shape or not torch.equal(self._target, y):
            low = self.low_pass(torch.cat([y, residual], dim=1))
            self._target = y.clone()
            self._target_low = {d: v[:, : y.shape[1]].clone() for d, v in low.items()}
            residual_low = {d: v[:, y.shape[1] :] for d, v in low.items()}
        else:
            residual_low = self.low_pass(residual)
        result = {}
        for d in self.deltas:
            y_low, r_low = self._target_low[d], residual_low[d]
            e_low = torch.linalg.norm(r_low) / torch.linalg.norm(y_low)
            e_high = torch.linalg.norm(residual - r_low) / torch.linalg.norm(y - y_low)
            result[d] = (e_low.item(), e_high.item())
        return result
