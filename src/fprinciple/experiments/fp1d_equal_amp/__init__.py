"""fp1d_equal_amp — XZLXM19 (lecture notes fig. 1.6): sin x + sin 3x + sin 5x with equal amplitudes, so that
frequency and not amplitude decides the order in which the peaks converge."""

PAPER_FIGURE = "Xu et al., CiCP 2020, equal amplitudes: ΔF at the three peaks over training (lecture notes fig. 1.6)"


def dataset(cfg: dict) -> str:
    return "synthetic 1-D target sin x + sin 3x + sin 5x on a uniform grid"
