"""Cost of fp_nongd and fp_poisson's classical solver on this machine.

1. fp_nongd: per optimizer (CG, BFGS, L-BFGS-B, Powell, PSO), objective evaluations, iterations
   and wall time until a small tanh net fitting sin x + sin 3x + sin 5x on 101 points of [−π, π]
   first has relative error ‖h − y‖ / ‖y‖ below each of --milestones, capped at
   --max-evaluations objective calls; with ΔF at the peaks k = 1, 3, 5 at the end.
2. fp_poisson: plain (ω = 1) and damped (ω = 2/3) Jacobi sweeps and wall time from u = 0 until
   the relative error against the exact solution is below --poisson-error, next to the count
   predicted by the slowest mode's analytic contraction factor.

    python benchmarks/bench_nongd_poisson.py [--width 16] [--milestones 0.3 0.1 0.05]
        [--max-evaluations 100000] [--methods cg bfgs l-bfgs-b powell pso] [--n-interior 255]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from fprinciple.models import MLP
from fprinciple.spectral.dft import delta_f, spectrum, uniform_grid
from fprinciple.targets.functions1d import sines
from fprinciple.targets.poisson import SineSeriesPoisson, interior_grid
from fprinciple.theory.jacobi import contraction_factors, sine_coefficients, solve_fd, sweeps_to_tolerance
from fprinciple.training import RunContext
from fprinciple.training.nongd import METHODS, NonGDSpec, minimize_module

PEAKS = [1, 3, 5]
# Powell's default ftol (1e-4, relative per sweep) stops it long before the fit; tighten it.
SCIPY_OPTIONS = {"powell": {"ftol": 1e-12, "xtol": 1e-10}, "cg": {"gtol": 0.0}, "bfgs": {"gtol": 0.0},
                 "l-bfgs-b": {"gtol": 0.0, "ftol": 0.0}}


def fit_1d(method: str, width: int, milestones: list[float], max_evaluations: int, seed: int) -> str:
    """Evaluations, iterations and seconds until the relative error first falls below each milestone."""
    x = uniform_grid(101, -np.pi, np.pi)
    y = sines(x, PEAKS)
    inputs, targets = (torch.as_tensor(a, dtype=torch.float64)[:, None] for a in (x, y))
    torch.manual_seed(seed)
    model = MLP(1, 1, [width], "tanh", init_std=1.0).double()
    n_params = sum(p.numel() for p in model.parameters())
    scale = float(np.mean(y**2))  # loss = rel² · mean(y²)
    spec = NonGDSpec(method, max_iterations=10**7, max_evaluations=max_evaluations,
                     loss_threshold=min(milestones) ** 2 * scale, swarm_size=40, swarm_sigma=1.0,
                     options=SCIPY_OPTIONS.get(method, {}))
    start = time.perf_counter()

    def clock(iteration, net, last):
        yield "wall_s", np.nan, time.perf_counter() - start

    result = minimize_module(model, lambda m: torch.mean((m(inputs) - targets) ** 2), spec, RunContext(),
                             hooks=[clock], seed=seed)
    history = result.records.pivot_table(index="step", columns="metric", values="value", aggfunc="first")
    rel = np.sqrt(history["train_loss"].to_numpy() / scale)
    cells = []
    for milestone in sorted(milestones, reverse=True):
        below = np.flatnonzero(rel < milestone)
        if below.size:
            row = history.iloc[below[0]]
            cells.append(f"<{milestone:g}: {row['evaluations']:6.0f} ev {row.name:5d} it {row['wall_s']:5.1f} s")
        else:
            cells.append(f"<{milestone:g}: {'never':>23s}")
    with torch.no_grad():
        h = model(inputs)[:, 0].numpy()
    delta = delta_f(spectrum(h)[PEAKS], spectrum(y)[PEAKS])
    return (f"{method:9s} {n_params} params | " + " | ".join(cells)
            + f" | end: {result.evaluations} ev, {result.wall_s:.1f} s ({result.wall_s / max(result.evaluations, 1) * 1e3:.2f} "
            f"ms/ev), rel {rel[-1]:.3f}, ΔF(1,3,5) {np.array2string(delta, precision=3)}")


def jacobi_cost(n_interior: int, error: float, omega: float) -> str:
    problem = SineSeriesPoisson((1, 4, 8, 24), (1.0, 1 / 4, -1 / 8, 1 / 36))  # the paper's series, kπ for k
    x, h = interior_grid(n_interior)
    u, g = problem.solution(x), problem.forcing(x)
    floor = np.linalg.norm(solve_fd(g, h) - u) / np.linalg.norm(u)
    start = time.perf_counter()
    sweeps = sweeps_to_tolerance(np.zeros(n_interior), g, h, u, error, max_sweeps=10**6, omega=omega)
    wall = time.perf_counter() - start
    # The error is −u at the start; its slowest mode is κ = 1 (j = 2), with share c / ‖c‖.
    c = sine_coefficients(u)
    rho = contraction_factors(n_interior, omega)[1]
    predicted = np.log(error * np.linalg.norm(c) / abs(c[1])) / np.log(abs(rho))
    return (f"Jacobi ω={omega:.3f} N={n_interior} (h={h:.4g}): {sweeps} sweeps to rel error {error:g} "
            f"(predicted from ρ(κ=1)={rho:.6f}: {predicted:.0f}), {wall:.2f} s "
            f"({wall / max(sweeps, 1) * 1e6:.1f} µs/sweep); FD discretisation floor {floor:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--milestones", type=float, nargs="+", default=[0.3, 0.1, 0.05])
    parser.add_argument("--max-evaluations", type=int, default=100_000)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-interior", type=int, default=255)
    parser.add_argument("--poisson-error", type=float, default=1e-2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"1-D fit: tanh 1-{args.width}-1, float64, 101 points, relative-error milestones {args.milestones}, "
          f"cap {args.max_evaluations} evaluations, seed {args.seed}")
    for method in args.methods:
        print(fit_1d(method, args.width, args.milestones, args.max_evaluations, args.seed), flush=True)
    for omega in (1.0, 2 / 3):
        print(jacobi_cost(args.n_interior, args.poisson_error, omega), flush=True)


if __name__ == "__main__":
    main()
