"""Gaussian filtering method (eqs. 1.10-1.13) against closed forms, chunking and memory."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from fprinciple.spectral import filtering
from fprinciple.spectral.filtering import STRATEGIES, GaussianFilter


def grid_1d(n: int = 801, length: float = 4.0) -> np.ndarray:
    return np.linspace(0.0, length, n)[:, None]


def test_sine_amplitude_is_damped_by_gaussian_transfer_function():
    # Dense grid (spacing 0.005 << sigma = 0.1), interior points >= 10 sigma from the ends:
    # the normalised discrete smoothing equals the continuous one to round-off.
    x = grid_1d()
    delta, omega = 0.01, 4 * np.pi
    y = np.sin(omega * x[:, 0])
    low = GaussianFilter(x, [delta]).low_pass(y)[delta].numpy()
    interior = (x[:, 0] > 1) & (x[:, 0] < 3)
    factor = np.exp(-delta * omega**2 / 2)
    np.testing.assert_allclose(low[interior], factor * y[interior], atol=1e-12)
    peak = interior & (np.abs(y) > 0.5)
    np.testing.assert_allclose(low[peak] / y[peak], factor, rtol=1e-10)


def test_constant_passes_through_unchanged():
    x = np.random.default_rng(0).normal(size=(200, 3))
    for delta, low in GaussianFilter(x, [0.1, 1.0, 100.0]).low_pass(np.full(200, 2.5)).items():
        np.testing.assert_allclose(low.numpy(), 2.5, rtol=1e-13, err_msg=f"delta={delta}")


def test_limits_of_delta():
    x = grid_1d(201)
    y = np.sin(3 * x[:, 0]) + x[:, 0] ** 2
    low = GaussianFilter(x, [1e-8, 1e8]).low_pass(y)
    np.testing.assert_allclose(low[1e-8].numpy(), y, rtol=1e-14)  # delta -> 0: identity
    np.testing.assert_allclose(low[1e8].numpy(), y.mean(), rtol=1e-6)  # delta -> inf: mean


def test_multi_output_columns_filtered_independently():
    x = np.random.default_rng(1).normal(size=(150, 4))
    y = np.random.default_rng(2).normal(size=(150, 3))
    filt = GaussianFilter(x, [0.5])
    together = filt.low_pass(y)[0.5]
    assert together.shape == (150, 3)
    for c in range(3):
        torch.testing.assert_close(together[:, c], filt.low_pass(y[:, c])[0.5], rtol=1e-14, atol=1e-14)


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 5))
    y = np.stack([np.sin(x[:, 0]), np.cos(2 * x[:, 1]) + x[:, 2]], axis=1)
    return x, y, (0.3, 3.0)


def test_errors_vanish_when_output_equals_target(problem):
    x, y, deltas = problem
    for e_low, e_high in GaussianFilter(x, deltas).errors(y, y.copy()).values():
        assert e_low == 0 and e_high == 0


def test_known_perturbations_give_known_errors(problem):
    x, y, deltas = problem
    filt = GaussianFilter(x, deltas)
    low = {d: v.numpy() for d, v in filt.low_pass(y).items()}
    # A scaled output: both parts scale, e_low = e_high = eps.
    for e_low, e_high in filt.errors(y, 1.1 * y).values():
        assert e_low == pytest.approx(0.1, rel=1e-12) and e_high == pytest.approx(0.1, rel=1e-12)
    # A constant shift c is purely low-frequency: e_low = ||c|| / ||y_low||, e_high = 0.
    shift = np.array([0.2, -0.1])
    for d, (e_low, e_high) in filt.errors(y, y + shift).items():
        expected = np.sqrt(len(y)) * np.linalg.norm(shift) / np.linalg.norm(low[d])
        assert e_low == pytest.approx(expected, rel=1e-12) and e_high == pytest.approx(0, abs=1e-12)


def test_chunking_and_strategies_agree(problem):
    x, y, deltas = problem
    h = y + np.random.default_rng(4).normal(scale=0.3, size=y.shape)
    reference = GaussianFilter(x, deltas, strategy="kernels", chunk_size=len(x))
    ref_low, ref_err = reference.low_pass(h), reference.errors(y, h)
    for strategy in STRATEGIES:
        for chunk in (1, 7, 128, 300):
            filt = GaussianFilter(x, deltas, strategy=strategy, chunk_size=chunk)
            low, err = filt.low_pass(h), filt.errors(y, h)
            for d in deltas:
                torch.testing.assert_close(low[d], ref_low[d], rtol=1e-12, atol=1e-14)
                assert err[d] == pytest.approx(ref_err[d], rel=1e-12)


@pytest.mark.parametrize(
    "device",
    ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU"))],
)
def test_float32_path_agrees_with_float64(problem, device):
    """float32 is the default on CUDA; centring keeps it close to the float64 reference."""
    x, y, deltas = problem
    h = 0.9 * y
    reference = GaussianFilter(x, deltas, dtype=torch.float64).errors(y, h)
    filt = GaussianFilter(torch.as_tensor(x, device=device), deltas, chunk_size=64, dtype=torch.float32)
    assert filt.device.type == device and filt.low_pass(y)[deltas[0]].device.type == device
    for d, errors in filt.errors(y, h).items():
        assert errors == pytest.approx(reference[d], rel=1e-4)


def test_automatic_strategy_follows_budget():
    n, d, item = 1000, 20, 8
    x = np.random.default_rng(5).normal(size=(n, d))
    work = 2 * 128 * n * item

    def budget(planned):  # the plan leaves max(budget / 8, 16 MiB) as headroom
        return max(planned * 8 // 7 + 8, planned + 16 * 2**20)

    assert GaussianFilter(x, [1, 2], memory_budget=budget(2 * n * n * item + n * d * item + work)).strategy == "kernels"
    assert GaussianFilter(x, [1, 2], memory_budget=budget(n * n * item + n * d * item + work)).strategy == "distances"
    filt = GaussianFilter(x, [1, 2], memory_budget=budget(n * d * item + work))
    assert filt.strategy == "recompute" and filt.chunk_size == 128
    with pytest.raises(ValueError, match="memory_budget"):
        GaussianFilter(x, [1], memory_budget=n * d * item)


def test_cpu_default_chunk_is_a_cache_sized_block_with_the_same_results():
    """On the CPU the default row chunk keeps a kernel block in cache (half the time of whole-matrix
    blocks at n = 5000); the results agree with one block of every row."""
    x = np.random.default_rng(7).normal(size=(2000, 5))
    y = np.sin(x[:, 0])
    filt = GaussianFilter(x, [0.5, 2.0])
    assert filt.strategy == "kernels" and filt.chunk_size == filtering._CPU_BLOCK_BYTES // (2000 * 8) < 2000
    whole = GaussianFilter(x, [0.5, 2.0], chunk_size=2000).low_pass(y)
    for d, low in filt.low_pass(y).items():
        torch.testing.assert_close(low, whole[d], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_distances_built_once_and_target_cached(problem, monkeypatch, strategy):
    x, y, deltas = problem
    calls = {"distances": 0, "low_pass_columns": []}
    distance_block, low_pass = GaussianFilter._distance_block, GaussianFilter.low_pass

    def counting_distance_block(self, rows, out):
        calls["distances"] += 1
        return distance_block(self, rows, out)

    def recording_low_pass(self, values):
        calls["low_pass_columns"].append(torch.as_tensor(values).reshape(len(values), -1).shape[1])
        return low_pass(self, values)

    monkeypatch.setattr(GaussianFilter, "_distance_block", counting_distance_block)
    monkeypatch.setattr(GaussianFilter, "low_pass", recording_low_pass)
    filt = GaussianFilter(x, deltas, strategy=strategy, chunk_size=100)
    built = calls["distances"]
    for step in range(4):
        filt.errors(y, y * (1 + 0.1 * step))
    per_evaluation = 3 if strategy == "recompute" else 0  # 300 rows / 100 per chunk
    assert built == (0 if strategy == "recompute" else 3)
    assert calls["distances"] == built + 4 * per_evaluation
    # The first call filters target and output together, later ones the output only.
    assert calls["low_pass_columns"] == [4, 2, 2, 2]
    filt.errors(y + 1, y)  # a new target is filtered again
    assert calls["low_pass_columns"][-1] == 4


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux peak-RSS reset")
@pytest.mark.parametrize(("budget_mib", "strategy"), [(64, "recompute"), (128, "distances")])
def test_peak_memory_within_budget(budget_mib, strategy):
    """n = 3000 MNIST-shaped inputs: the process's peak RSS grows by less than the budget."""
    n, d = 3000, 784
    rng = np.random.default_rng(6)
    x = torch.from_numpy(rng.random((n, d)))
    target = torch.from_numpy(rng.random((n, 10)))
    output = target + 0.1
    GaussianFilter(x[:200], [1.0]).errors(target[:200], output[:200])  # load BLAS, thread pools
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current RSS
    baseline = _rss_kib("VmRSS")
    filt = GaussianFilter(x, [10.0, 100.0], memory_budget=budget_mib * 2**20)
    filt.errors(target, output)
    filt.errors(target, output)
    growth = (_rss_kib("VmHWM") - baseline) * 1024
    assert filt.strategy == strategy
    assert growth <= budget_mib * 2**20, f"peak grew by {growth / 2**20:.1f} MiB"
    if strategy == "distances":
        assert growth >= n * n * 8  # the measurement does see the cached matrix
