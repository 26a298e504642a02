"""fp1d_robustness — XZX18: the fp1d_equal_amp experiment across activations, depths and
optimizers; the F-Principle order must hold in every cell of the grid, one claim per optimizer."""

PAPER_FIGURE = (
    "Xu, Zhang & Xiao, ICONIP 2019: the order across activations, depths and optimizers, in the equal-amplitude setting"
)


def dataset(cfg: dict) -> str:
    return "synthetic 1-D target sin x + sin 3x + sin 5x on a uniform grid"


def cells(cfg: dict) -> list[tuple[str, int]]:
    """The (optimizer, depth) cells every activation is trained in (the run trains them, the figure
    draws them in this order)."""
    return [(optimizer, depth) for optimizer in cfg["optimizers"] for depth in cfg["depths"]]
