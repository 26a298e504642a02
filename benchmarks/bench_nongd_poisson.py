"""Cost of fp_nongd and fp_poisson's classical solver on this machine.

1. fp_nongd: per optimizer (CG, BFGS, L-BFGS-B, Powell, PSO), objective evaluations, iterations
   and wall time until a small tanh net fitting sin x + sin 3x + sin 5x on 101 points of [−π, π]
   first has relative error ‖h − y‖ / ‖y‖ below each of --milestones, and ΔF < 0.1 at all three
   peaks k = 1, 3, 5; capped at --max-evaluations (--pso-evaluations) objective calls.
2. fp_poisson: plain (ω = 1) and damped (ω = 2/3) Jacobi sweeps and wall time from u = 0 until
   the relative error against the exact solution is below --poisson-error, next to the count
   predicted by the slowest mode's analytic contraction factor.
3. The experiments' own settings (--config, default config/config.yaml, the quick scale): per
   fp_nongd method, with its configured net and budget, evaluations and wall time until ΔF stays
   below the configured threshold at all three peaks for the configured window (the claims'
   convergence rule); per fp_poisson solver (DNN, Jacobi, hybrid), iterations and wall time to
   the error target, timed without the error measurements (the DAG's logged wall time includes
   them).

    python benchmarks/bench_nongd_poisson.py [--width 16] [--milestones 0.3 0.1 0.05]
        [--max-evaluations 250000] [--pso-evaluations 120000] [--methods cg bfgs l-bfgs-b powell pso]
        [--n-interior 255] [--poisson-error 0.01] [--config config/config.yaml] [--seeds 0 1]
        [--sections 1 2 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from fprinciple.config import load_and_validate
from fprinciple.engines import fit1d
from fprinciple.experiments.fp_nongd import model_of
from fprinciple.experiments.fp_nongd import run as fp_nongd
from fprinciple.experiments.fp_poisson import run as fp_poisson
from fprinciple.models import MLP
from fprinciple.spectral.dft import convergence_steps, delta_f, spectrum, uniform_grid
from fprinciple.targets.functions1d import sines
from fprinciple.targets.poisson import (
    LOSSES,
    SineSeriesPoisson,
    closed_grid,
    interior_grid,
    make_problem,
)
from fprinciple.theory.jacobi import (
    contraction_factors,
    jacobi_sweep,
    sine_coefficients,
    solve_fd,
    sweeps_to_tolerance,
)
from fprinciple.training import RunContext
from fprinciple.training.nongd import METHODS, NonGDSpec, minimize_module

PEAKS = [1, 3, 5]
DELTA_F_THRESHOLD = 0.1  # fp1d_equal_amp's spectrum.threshold
# Powell's default ftol (1e-4, relative per sweep) stops it long before the fit; tighten it.
SCIPY_OPTIONS = {
    "powell": {"ftol": 1e-12, "xtol": 1e-10},
    "cg": {"gtol": 0.0},
    "bfgs": {"gtol": 0.0},
    "l-bfgs-b": {"gtol": 0.0, "ftol": 0.0},
}


def fit_1d(method: str, width: int, milestones: list[float], max_evaluations: int, seed: int) -> str:
    """Evaluations, iterations and seconds until the relative error first falls below each
    milestone, and until ΔF < DELTA_F_THRESHOLD at every peak (fp_nongd's convergence criterion)."""
    x = uniform_grid(101, -np.pi, np.pi)
    y = sines(x, PEAKS)
    inputs, targets = (torch.as_tensor(a, dtype=torch.float64)[:, None] for a in (x, y))
    torch.manual_seed(seed)
    model = MLP(1, 1, [width], "tanh", init_std=1.0).double()
    n_params = sum(p.numel() for p in model.parameters())
    scale = float(np.mean(y**2))  # loss = rel² · mean(y²)
    spec = NonGDSpec(
        method,
        max_iterations=10**7,
        max_evaluations=max_evaluations,
        loss_threshold=min(milestones) ** 2 * scale,
        swarm_size=40,
        swarm_sigma=1.0,
        options=SCIPY_OPTIONS.get(method, {}),
    )
    start = time.perf_counter()

    y_peaks = spectrum(y)[PEAKS]

    def clock_and_peaks(iteration, net, last):
        yield "wall_s", np.nan, time.perf_counter() - start
        with torch.no_grad():
            h = net(inputs)[:, 0].numpy()
        yield "max_delta_f", np.nan, delta_f(spectrum(h)[PEAKS], y_peaks).max()

    result = minimize_module(
        model, lambda m: torch.mean((m(inputs) - targets) ** 2), spec, RunContext(), hooks=[clock_and_peaks], seed=seed
    )
    history = result.records.pivot_table(index="step", columns="metric", values="value", aggfunc="first")
    rel = np.sqrt(history["train_loss"].to_numpy() / scale)
    crossings = [(f"rel<{m:g}", rel < m) for m in sorted(milestones, reverse=True)]
    crossings.append((f"ΔF<{DELTA_F_THRESHOLD:g}", history["max_delta_f"].to_numpy() < DELTA_F_THRESHOLD))
    cells = []
    for label, below in crossings:
        if below.any():
            row = history.iloc[np.argmax(below)]
            cells.append(f"{label}: {row['evaluations']:6.0f} ev {row.name:5d} it {row['wall_s']:5.1f} s")
        else:
            cells.append(f"{label}: {'never':>23s}")
    with torch.no_grad():
        h = model(inputs)[:, 0].numpy()
    delta = delta_f(spectrum(h)[PEAKS], spectrum(y)[PEAKS])
    return (
        f"{method:9s} {n_params} params | "
        + " | ".join(cells)
        + f" | end: {result.evaluations} ev, {result.wall_s:.1f} s ({result.wall_s / max(result.evaluations, 1) * 1e3:.2f} "
        f"ms/ev), rel {rel[-1]:.3f}, ΔF(1,3,5) {np.array2string(delta, precision=3)}"
    )


def jacobi_cost(n_interior: int, error: float, omega: float) -> str:
    problem = SineSeriesPoisson((1, 4, 8, 24), (1.0, 1 / 4, -1 / 8, 1 / 36))  # the paper's series, kπ for k
    x, h = interior_grid(n_interior)
    u, g = problem.solution(x), problem.forcing(x)
    floor = np.linalg.norm(solve_fd(g, h) - u) / np.linalg.norm(u)
    start = time.perf_counter()
    sweeps = sweeps_to_tolerance(np.zeros(n_interior), g, h, u, error, max_sweeps=10**6, omega=omega)
    wall = time.perf_counter() - start
    if sweeps is None:  # a grid too coarse for the series: the discretisation error alone exceeds `error`
        return f"Jacobi ω={omega:.3f} N={n_interior}: never below {error:g} (FD discretisation floor {floor:.2e})"
    # The error is −u at the start; its slowest mode is κ = 1 (j = 2), with share c / ‖c‖.
    c = sine_coefficients(u)
    rho = contraction_factors(n_interior, omega)[1]
    predicted = np.log(error * np.linalg.norm(c) / abs(c[1])) / np.log(abs(rho))
    return (
        f"Jacobi ω={omega:.3f} N={n_interior} (h={h:.4g}): {sweeps} sweeps to rel error {error:g} "
        f"(predicted from ρ(κ=1)={rho:.6f}: {predicted:.0f}), {wall:.2f} s "
        f"({wall / max(sweeps, 1) * 1e6:.1f} µs/sweep); FD discretisation floor {floor:.2e}"
    )


def nongd_configured(cfg: dict, method: str, seed: int) -> str:
    """One fp_nongd run with the configured net and budget: evaluations and wall time until ΔF
    stays below the threshold at every peak for the window (the claims' rule), and per peak."""
    settings, rule = cfg["methods"][method], cfg["spectrum"]
    model_cfg = model_of(cfg, method)
    x, y = fit1d.problem(cfg)
    peaks = fit1d.peaks(cfg, y)
    y_peaks = spectrum(y)[peaks]
    inputs, targets = (torch.as_tensor(a, dtype=torch.float64)[:, None] for a in (x, y))
    torch.manual_seed(seed)
    model = fit1d.build_model(model_cfg, model_cfg["hidden"], model_cfg["activation"]).double()
    start = time.perf_counter()

    def clock_and_peaks(step, net, last):
        yield "wall_s", np.nan, time.perf_counter() - start
        with torch.no_grad():
            h = net(inputs)[:, 0].numpy()
        yield "delta_f", peaks, delta_f(spectrum(h)[peaks], y_peaks, rule["delta_form"])

    result = minimize_module(
        model,
        lambda m: torch.mean((m(inputs) - targets) ** 2),
        fp_nongd.spec(settings, method),
        RunContext(),
        hooks=[clock_and_peaks],
        seed=seed,
    )
    records = result.records
    history = records[records["metric"] == "delta_f"].pivot(index="step", columns="key", values="value").sort_index()
    per_peak = convergence_steps(history.index.to_numpy(), history.to_numpy(), rule["threshold"], rule["window"])
    fitted = convergence_steps(
        history.index.to_numpy(), history.max(axis=1).to_numpy()[:, None], rule["threshold"], rule["window"]
    )[0]
    by_step = records[records["learner"] == "trained"].pivot_table(
        index="step", columns="metric", values="value", aggfunc="first"
    )
    n_params = sum(p.numel() for p in model.parameters())
    peaks_text = ", ".join(
        f"k={int(k)}: " + ("never" if np.isnan(at) else f"{int(by_step.loc[at, 'evaluations'])} ev")
        for k, at in zip(history.columns, per_peak)
    )
    if np.isfinite(fitted):
        fit = f"fitted (all peaks): {int(by_step.loc[fitted, 'evaluations'])} ev, {by_step.loc[fitted, 'wall_s']:.1f} s"
    else:
        fit = f"not fitted within {result.evaluations} ev ({result.wall_s:.1f} s)"
    return (
        f"{method:9s} tanh {'-'.join(map(str, [1, *model_cfg['hidden'], 1]))} ({n_params} params) seed {seed} | {fit} | "
        f"converged ({peaks_text}) | end: {result.iterations} it, {result.evaluations} ev, {result.wall_s:.1f} s"
    )


def poisson_configured(cfg: dict, seed: int) -> str:
    """fp_poisson's three solvers with the configured settings: iterations and wall time (the
    error measurement excluded from the clock) to the error target, the window ignored."""
    measure = fp_poisson.Measure(cfg)
    target, dnn = cfg["error"]["target"], cfg["dnn"]
    torch.manual_seed(seed)
    model = fp_poisson.build_model(cfg)
    grid = closed_grid(cfg["n_interior"])
    points = torch.as_tensor(grid, dtype=torch.float32)[:, None]
    forcing = torch.as_tensor(make_problem(cfg["problem"]).forcing(grid), dtype=torch.float32)[:, None]
    loss, beta = LOSSES[dnn["loss"]], dnn["boundary_weight"]
    optimizer = torch.optim.Adam(model.parameters(), lr=dnn["optimizer"]["lr"])

    def error(values):
        return np.linalg.norm(values - measure.u) / np.linalg.norm(measure.u)

    def values_of(net):
        with torch.no_grad():
            return net(points[1:-1])[:, 0].numpy().astype(np.float64)

    dnn_reached = dnn_wall = None
    clock, handover_values, handover_wall = 0.0, None, None
    for step in range(dnn["steps"] + 1):
        if step % dnn["log_every"] == 0 and dnn_reached is None and error(values_of(model)) < target:
            dnn_reached, dnn_wall = step, clock
        if step == cfg["hybrid"]["dnn_steps"]:
            handover_values, handover_wall = values_of(model), clock
        if step == dnn["steps"]:
            break
        tick = time.perf_counter()
        value = loss(model, points, forcing, beta)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        clock += time.perf_counter() - tick

    def sweeps_to_target(u, sweeps, every):
        elapsed = 0.0
        for sweep in range(sweeps + 1):
            if sweep % every == 0 and error(u) < target:
                return sweep, elapsed
            tick = time.perf_counter()
            u = jacobi_sweep(u, measure.g, measure.h, cfg["jacobi"]["omega"])
            elapsed += time.perf_counter() - tick
        return None, elapsed

    sweeps, every = cfg["jacobi"]["max_sweeps"], cfg["jacobi"]["log_every"]
    jacobi_reached, jacobi_wall = sweeps_to_target(np.zeros_like(measure.u), sweeps, every)
    hybrid_sweeps, hybrid_wall = sweeps_to_target(handover_values, sweeps, every)

    def cell(name, iterations, wall, ran):
        return (
            f"{name} never in {ran} it ({wall:.2f} s)"
            if iterations is None
            else f"{name} {iterations} it ({wall:.3f} s)"
        )

    handover = cfg["hybrid"]["dnn_steps"]
    hybrid_total = None if hybrid_sweeps is None else handover + hybrid_sweeps
    return (
        f"fp_poisson seed {seed}, target {target:g}: "
        + "; ".join(
            [
                cell("DNN", dnn_reached, dnn_wall if dnn_reached is not None else clock, dnn["steps"]),
                cell("Jacobi", jacobi_reached, jacobi_wall, sweeps),
                cell(
                    f"hybrid ({handover} DNN steps + sweeps)",
                    hybrid_total,
                    handover_wall + hybrid_wall,
                    handover + sweeps,
                ),
            ]
        )
        + f" | a DNN step {clock / dnn['steps'] * 1e3:.2f} ms, a sweep {jacobi_wall / max(jacobi_reached or sweeps, 1) * 1e6:.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--milestones", type=float, nargs="+", default=[0.3, 0.1, 0.05])
    parser.add_argument("--max-evaluations", type=int, default=250_000, help="cap for the scipy methods")
    parser.add_argument(
        "--pso-evaluations",
        type=int,
        default=120_000,
        help="cap for the swarm (~0.4 ms per particle: nevergrad's ask/tell)",
    )
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-interior", type=int, default=255)
    parser.add_argument("--poisson-error", type=float, default=1e-2)
    parser.add_argument("--config", default="config/config.yaml", help="section 3: the experiments' settings")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="section 3: seeds")
    parser.add_argument("--sections", type=int, nargs="+", default=[1, 2, 3], choices=[1, 2, 3])
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="every section, smallest sizes, config/smoke.yaml: seconds (tests/test_benchmarks.py)",
    )
    args = parser.parse_args()
    if args.tiny:
        args.width, args.milestones, args.methods, args.seeds = 4, [0.3], ["bfgs", "pso"], [0]
        args.max_evaluations, args.pso_evaluations, args.n_interior, args.config = 200, 50, 127, "config/smoke.yaml"
    torch.set_num_threads(1)
    if 1 in args.sections:
        print(
            f"1-D fit: tanh 1-{args.width}-1, float64, 101 points, relative-error milestones {args.milestones}, "
            f"caps {args.max_evaluations} (scipy) / {args.pso_evaluations} (pso) evaluations, seed {args.seed}"
        )
        for method in args.methods:
            cap = args.pso_evaluations if method == "pso" else args.max_evaluations
            print(fit_1d(method, args.width, args.milestones, cap, args.seed), flush=True)
    if 2 in args.sections:
        for omega in (1.0, 2 / 3):
            print(jacobi_cost(args.n_interior, args.poisson_error, omega), flush=True)
    if 3 in args.sections:
        experiments = load_and_validate([args.config])["experiments"]  # the config's scale, defaults filled in
        print(f"{args.config}: fp_nongd and fp_poisson with their configured settings, seeds {args.seeds}")
        for method in (m for m in experiments["fp_nongd"]["methods"] if m in args.methods):
            for seed in args.seeds:
                print(nongd_configured(experiments["fp_nongd"], method, seed), flush=True)
        for seed in args.seeds:
            print(poisson_configured(experiments["fp_poisson"], seed), flush=True)


if __name__ == "__main__":
    main()
