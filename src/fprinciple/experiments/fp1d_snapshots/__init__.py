"""fp1d_snapshots — XZLXM19 (lecture notes fig. 1.3): fitting sin x + sin 5x, the early output already follows
sin x (the low-frequency outline) while the sin 5x wiggles are fitted much later."""

PAPER_FIGURE = "Xu et al., CiCP 2020, sin x + sin 5x: the output over training (lecture notes fig. 1.3)"


def dataset(cfg: dict) -> str:
    return "synthetic 1-D target sin x + sin 5x on a uniform grid"
