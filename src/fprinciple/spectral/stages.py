"""Low-frequency shares of the loss decrease and of the output change between two training times:
the quantities of the three-stage theorems of Luo, Ma, Xu, Zhang (LMXZ19), measured
for theory_stages.

Setting. The population loss is ``L = ∫ ℓ(u) ρ dx`` with residual ``u = h − f`` and data density
``ρ``. It is measured by quadrature on a uniform periodic grid x_j (the grid of ``spectral.dft``):
``L ≈ Σ_j w_j ℓ(u_j)`` with weights ``w_j = ρ(x_j) / Σ_i ρ(x_i)`` (the rectangle rule, which on
a periodic grid is the trapezoidal rule and spectrally accurate for smooth periodic integrands;
normalised so that the weights are a probability). Uniform density gives ``w_j = 1/N``: the
plain mean. Training data drawn from ρ (e.g. ``density_quantile_points``) have the same
population loss, so the measurement does not need the training points themselves.

L² (ℓ(u) = u²). Parseval splits the loss exactly over frequencies: with ``v = √w · u``,
``L = Σ_j v_j² = Σ_k E_k[v]``, ``E_k`` the one-sided DFT energy at index k (``band_energy``). The
low part ``L_{≤k₀} = Σ_{k≤k₀} E_k[v]`` is LMXZ19's ``L⁻_η``: the low-frequency part of the
Fourier transform of ``u √ρ`` (√ρ is the only weighting for which the band losses add up to L).
The share of the loss decrease carried by the low band between t₀ and t₁ is

    S_loss = [L_{≤k₀}(t₀) − L_{≤k₀}(t₁)] / [L(t₀) − L(t₁)].

L⁴ (ℓ(u) = u⁴). ∫ u⁴ ρ is not a sum over frequencies of anything, so there is no loss share.
What LMXZ19 bound instead, for every L^p loss with p ≥ 2, is the change of the network's output:
its high-frequency part is small next to its low-frequency part (LMXZ19: the output change is dominated by its low
frequencies, measured by L² norms of frequency bands). We measure

    S_out = E_{≤k₀}[√w · (h(t₁) − h(t₀))] / E[√w · (h(t₁) − h(t₀))],

the low band's share of the energy of the output change, weighted like the residual (for the
L² loss, S_out is available too). ``residual_energy_share`` computes S_loss's formula on the L²
energy of the residual whatever the loss: for L² it is S_loss, for L⁴ only a diagnostic.

Baseline. A share is evidence of a low-frequency preference only above the band's share of the
residual at t₀, ``E_{≤k₀}[√w u(t₀)] / E[√w u(t₀)]`` (``band_share``): a learner that removed the
residual uniformly across frequencies would get exactly that. ``equal_band_energy_target`` builds
a target whose low and high bands carry equal weighted energy, so the baseline starts near 1/2.

Stages (``stage_windows``): initial = (t = 0, first logged step); intermediate = (t = 0, the first
logged step whose loss is at most half the initial loss); final = the last ``final_fraction`` of
the logged run. Shares can leave [0, 1]: a band whose energy grows while the total falls gives a
share above 1 for the other band.

Final stage (``tail_statistics``, ``share_above``). LMXZ19's final-stage theorem assumes gradient
flow converging to a minimum with a non-degenerate Hessian and bounds, from some time on, the
high-frequency part of the loss's time derivative, |dL_{>η}/dt| / |dL/dt| ≤ C(η) with C(η)
decaying in η (for Lᵖ, the same for the output's change). Near such a minimum the flow is
linear, the residual a sum of decaying exponentials: the loss falls exponentially, at a steady
rate once the slowest mode dominates, and every band of the residual falls with it, at that
rate (the slowest mode carries every band, unless it has no energy in one).
``tail_statistics`` measures that on the final window; ``share_above`` measures the shares at
several cutoffs over it (differences across the window stand for the time derivative).

Notes. On a periodic grid a non-periodic residual (a ReLU net's output at ±π) jumps at the wrap,
which leaks energy into high indices as ~1/k²; a density that vanishes smoothly at the ends of
the domain removes the jump, as ρ does for LMXZ19's Fourier transform on ℝ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dft import spectrum

__all__ = [
    "STAGES",
    "quadrature_weights",
    "density_quantile_points",
    "band_energy",
    "band_share",
    "residual_energy_share",
    "output_change_share",
    "weighted_loss",
    "stage_windows",
    "stage_shares",
    "equal_band_energy_target",
    "tail_statistics",
    "share_above",
    "falls_with_cutoff",
]

STAGES = ("initial", "intermediate", "final")


def quadrature_weights(density: np.ndarray) -> np.ndarray:
    """Rectangle-rule weights ρ(x_j) / Σ ρ on a uniform periodic grid; ``density`` need not be
    normalised (only its shape matters), and must be non-negative with a positive sum."""
    density = np.asarray(density, dtype=np.float64)
    if np.any(density < 0) or density.sum() <= 0:
        raise ValueError("density must be non-negative with a positive sum")
    return density / density.sum()


def density_quantile_points(x: np.ndarray, density: np.ndarray, n: int) -> np.ndarray:
    """n training inputs distributed as ``density`` (given on the grid ``x``): the quantiles
    F⁻¹((i + ½)/n) of its piecewise-linear CDF, a deterministic sample of ρ."""
    x = np.asarray(x, dtype=np.float64)
    density = np.asarray(density, dtype=np.float64)
    cells = 0.5 * (density[1:] + density[:-1]) * np.diff(x)
    cdf = np.concatenate([[0.0], np.cumsum(cells)])
    return np.interp((np.arange(n) + 0.5) / n * cdf[-1], cdf, x)


def _weighted(values: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[-1]
    return values / np.sqrt(n) if weights is None else values * np.sqrt(np.asarray(weights, dtype=np.float64))


def band_energy(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """One-sided DFT energy E_k, k = 0..N//2, of ``v = √w · values`` (w = 1/N if None), with
    ``Σ_k E_k = Σ_j w_j values_j²`` exactly (Parseval). Leading axes are a batch."""
    v = _weighted(values, weights)
    n = v.shape[-1]
    coefficients = spectrum(v)  # (1/N) Σ v_j e^{-2πikj/N}
    multiplicity = np.full(coefficients.shape[-1], 2.0)
    multiplicity[0] = 1.0
    if n % 2 == 0:
        multiplicity[-1] = 1.0  # the Nyquist index has no mirror image
    return n * multiplicity * np.abs(coefficients) ** 2


def _low(energy: np.ndarray, cutoff: int) -> np.ndarray:
    return energy[..., : cutoff + 1].sum(axis=-1)


def band_share(values: np.ndarray, cutoff: int, weights: np.ndarray | None = None) -> float:
    """Share of the weighted energy of ``values`` at indices k ≤ cutoff (the baseline, on u(t₀))."""
    energy = band_energy(values, weights)
    return float(_low(energy, cutoff) / energy.sum())


def residual_energy_share(
    residual0: np.ndarray, residual1: np.ndarray, cutoff: int, weights: np.ndarray | None = None
) -> float:
    """[L_{≤k₀}(t₀) − L_{≤k₀}(t₁)] / [L(t₀) − L(t₁)] for the weighted L² energy of the residual
    (the L² loss-decrease share; NaN when the energy did not change)."""
    e0, e1 = band_energy(residual0, weights), band_energy(residual1, weights)
    total = e0.sum() - e1.sum()
    return float((_low(e0, cutoff) - _low(e1, cutoff)) / total) if total != 0 else float("nan")


def output_change_share(
    output0: np.ndarray, output1: np.ndarray, cutoff: int, weights: np.ndarray | None = None
) -> float:
    """Low band's share of the weighted energy of h(t₁) − h(t₀) (NaN when the output did not move)."""
    energy = band_energy(np.asarray(output1, dtype=np.float64) - np.asarray(output0, dtype=np.float64), weights)
    return float(_low(energy, cutoff) / energy.sum()) if energy.sum() > 0 else float("nan")


def weighted_loss(residual: np.ndarray, power: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Σ_j w_j |u_j|^p (the mean |u|^p if weights is None); leading axes are a batch."""
    residual = np.abs(np.asarray(residual, dtype=np.float64)) ** power
    if weights is None:
        return residual.mean(axis=-1)
    return (residual * np.asarray(weights, dtype=np.float64)).sum(axis=-1)


def stage_windows(loss: np.ndarray, final_fraction: float = 0.2) -> dict[str, tuple[int, int] | None]:
    """(index of t₀, index of t₁) into a logged history with losses ``loss`` (logged in step order,
    index 0 the start), per stage; ``intermediate`` is None if the loss never halves."""
    loss = np.asarray(loss, dtype=np.float64)
    if loss.size < 2:
        raise ValueError("need at least two logged steps")
    halved = np.flatnonzero(loss <= loss[0] / 2)
    final_start = min(int(np.floor((1.0 - final_fraction) * (loss.size - 1))), loss.size - 2)
    return {
        "initial": (0, 1),
        "intermediate": (0, int(halved[0])) if halved.size else None,
        "final": (final_start, loss.size - 1),
    }


def stage_shares(
    steps: np.ndarray,
    loss: np.ndarray,
    outputs: np.ndarray,
    target: np.ndarray,
    cutoff: int,
    weights: np.ndarray | None = None,
    final_fraction: float = 0.2,
) -> pd.DataFrame:
    """One row per stage: t₀, t₁, the residual-energy (L² loss) share, the output-change share
    and the baseline band share of the residual at t₀.

    ``steps`` (T,) and ``loss`` (T,) are the logged history (``loss`` the training loss, L² or L⁴,
    which decides when it has halved); ``outputs`` (T, N) the net on the measurement grid,
    ``target`` (N,) the target there.
    """
    outputs = np.asarray(outputs, dtype=np.float64)
    residuals = outputs - np.asarray(target, dtype=np.float64)
    rows = []
    for stage, window in stage_windows(loss, final_fraction).items():
        if window is None:
            rows.append(
                {
                    "stage": stage,
                    "t0": np.nan,
                    "t1": np.nan,
                    "residual_energy_share": np.nan,
                    "output_change_share": np.nan,
                    "baseline": np.nan,
                }
            )
            continue
        i0, i1 = window
        rows.append(
            {
                "stage": stage,
                "t0": float(steps[i0]),
                "t1": float(steps[i1]),
                "residual_energy_share": residual_energy_share(residuals[i0], residuals[i1], cutoff, weights),
                "output_change_share": output_change_share(outputs[i0], outputs[i1], cutoff, weights),
                "baseline": band_share(residuals[i0], cutoff, weights),
            }
        )
    return pd.DataFrame(rows)


def equal_band_energy_target(
    x: np.ndarray, low_frequencies, high_frequencies, cutoff: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """f = Σ_low sin(k x) + c Σ_high sin(k x), with c > 0 chosen so that the weighted energy of f
    at indices ≤ cutoff equals that above it (exactly, on the grid).

    ``x`` is the periodic grid on [−π, π) (index k = frequency k); low frequencies must be
    ≤ cutoff < high ones. With uniform weights c = √(n_low / n_high); a non-uniform ρ mixes the
    bands (√ρ · sin kx is not a pure tone), and c solves the quadratic E_low(c) = E_high(c).
    """
    if max(low_frequencies) > cutoff or min(high_frequencies) <= cutoff:
        raise ValueError(f"need low frequencies <= cutoff {cutoff} < high frequencies")
    low = sum(np.sin(k * x) for k in low_frequencies)
    high = sum(np.sin(k * x) for k in high_frequencies)

    # E_band(low + c high) = |P a|² + 2c <P a, P b> + c² |P b|² for the band projector P; every
    # term is bilinear in the spectra, so get them from three energies by polarisation.
    def difference(values):  # E_low − E_high
        energy = band_energy(values, weights)
        return _low(energy, cutoff) - (energy.sum() - _low(energy, cutoff))

    d_a, d_b, d_ab = difference(low), difference(high), difference(low + high)
    cross = 0.5 * (d_ab - d_a - d_b)
    # d_b c² + 2 cross c + d_a = 0; d_b < 0 < d_a when the bands are not mixed much.
    roots = np.roots([d_b, 2 * cross, d_a])
    positive = roots[(np.abs(roots.imag) < 1e-12) & (roots.real > 0)].real
    if positive.size == 0:
        raise ValueError("no positive high-band amplitude equalises the band energies for these weights")
    return low + positive.min() * high


def tail_statistics(steps: np.ndarray, band_energies: np.ndarray) -> dict[str, float]:
    """How a residual decays over a window: ``band_energies`` (T, B) its weighted L² energy in each
    of B bands at the logged ``steps`` (T ≥ 2), E their sum.

    efolds: ln(E(t_first) / E(t_last)); monotone: 1 when E falls at every logged step, else 0;
    rate_ratio: E's log-decay rate over the window's second half over that over its first (1 for
    an exponential; NaN when the first half does not fall or T < 3); slowest_band, fastest_band: the least
    and the greatest of the bands' log-decay rates over E's (negative when a band grows, 0 when
    it stands still; all 1 once one mode carries every band; NaN when E does not fall).
    """
    steps = np.asarray(steps, dtype=np.float64)
    bands = np.asarray(band_energies, dtype=np.float64)
    if bands.ndim != 2 or len(steps) != len(bands) or len(steps) < 2:
        raise ValueError("need (T, B) band energies at T >= 2 logged steps")
    total = bands.sum(axis=1)
    middle = len(steps) // 2

    def rate(i, j, values):
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.log(values[i] / values[j]) / (steps[j] - steps[i]))

    whole, first, second = rate(0, -1, total), rate(0, middle, total), rate(middle, -1, total)
    band_rates = [rate(0, -1, bands[:, b]) for b in range(bands.shape[1])]
    return {
        "efolds": float(np.log(total[0] / total[-1])),
        "monotone": float(np.all(np.diff(total) < 0)),
        "rate_ratio": second / first if len(steps) >= 3 and first > 0 else float("nan"),
        "slowest_band": min(band_rates) / whole if whole > 0 else float("nan"),
        "fastest_band": max(band_rates) / whole if whole > 0 else float("nan"),
    }


def share_above(
    values0: np.ndarray, values1: np.ndarray, cutoffs, weights: np.ndarray | None = None, change: bool = False
) -> np.ndarray:
    """Per cutoff k, the part above k between two times t₀, t₁: for a residual (``change`` False)
    |E_{>k}(u₁) − E_{>k}(u₀)| / |E(u₁) − E(u₀)|, the high band's share of the L² loss's change;
    for an output (``change`` True) E_{>k}(h₁ − h₀) / E(h₁ − h₀), its share of the output's change.
    NaN where the denominator is 0."""
    cutoffs = np.asarray(cutoffs, dtype=int)
    if change:
        energy = band_energy(np.asarray(values1, dtype=np.float64) - np.asarray(values0, dtype=np.float64), weights)
        above, total = np.array([energy[k + 1 :].sum() for k in cutoffs]), energy.sum()
    else:
        e0, e1 = band_energy(values0, weights), band_energy(values1, weights)
        above = np.abs(np.array([e1[k + 1 :].sum() - e0[k + 1 :].sum() for k in cutoffs]))
        total = abs(e1.sum() - e0.sum())
    return above / total if total > 0 else np.full(len(cutoffs), np.nan)


def falls_with_cutoff(shares) -> bool:
    """The shares at ascending cutoffs never rise from one cutoff to the next and end below where
    they start (NaN fails): the decay in the cutoff that LMXZ19's final-stage bound has."""
    shares = np.asarray(shares, dtype=np.float64)
    return bool(
        shares.size >= 2 and np.all(np.isfinite(shares)) and np.all(np.diff(shares) <= 0) and shares[-1] < shares[0]
    )
