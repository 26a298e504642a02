"""fp1d_step — XZX18 (lecture notes figs. 1.4–1.5): a periodic three-valued step function fitted by MSE;
the network captures the outline (low frequencies) before the steps (high frequencies)."""

PAPER_FIGURE = "Xu, Zhang & Xiao, ICONIP 2019, a periodic step: output and its DFT magnitude over training (lecture notes figs. 1.4–1.5)"


def dataset(cfg: dict) -> str:
    return "synthetic 1-D periodic step function with three values, densely sampled"
