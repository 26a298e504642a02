"""fp_poisson — XZLXM19: a DNN and Jacobi iteration solve −u'' = g on [−1, 1], u(±1) = 0, in
opposite frequency orders, and a DNN-then-Jacobi hybrid uses both (README.md beside this file)."""

PAPER_FIGURE = "Xu et al., CiCP 2020, solving Poisson's equation: DNN, Jacobi and DNN-then-Jacobi"


def dataset(cfg: dict) -> str:
    problem = cfg["problem"]
    series = " + ".join(f"{a:g}·sin({k}πx)" for k, a in zip(problem["wavenumbers"], problem["amplitudes"]))
    return (
        f"synthetic: −u'' = g on [−1, 1], u(±1) = 0, exact solution u = {series}; "
        f"{cfg['n_interior']} interior grid points"
    )
