"""dfp_depth — XZ20 fig. 1: deeper is faster. Fully connected nets of equal width and 1 … N hidden
layers fit cos 3x + cos 5x; the number of steps until the training loss first falls below a fixed
level drops with depth. Second panel: one fixed net on targets cos(kx) of rising frequency k needs
more steps the higher k (the F-Principle the paper builds on).

Settings the paper does not publish (widths, optimizer, learning rate, loss level, the interval)
are our choice (README.md). The loss level is relative: MSE / mean(y²) below
``relative_loss_threshold``, first reached ("steps to a fixed training error", as in BJKK19's code).
"""

PAPER_FIGURE = (
    "Xu & Zhou, AAAI 2021, fig. 1: steps to a fixed training loss vs the number of hidden layers (cos 3x + cos 5x)"
)
DEPTH, FREQUENCY = "depth", "frequency"  # the values of the ``sweep`` column


def target_name(frequencies) -> str:
    return " + ".join(f"cos {k:g}x" if k != 1 else "cos x" for k in frequencies)


def dataset(cfg: dict) -> str:
    sweep = cfg["depth_sweep"]
    return (
        f"synthetic 1-D: {target_name(sweep['frequencies'])} (depth sweep) and cos(kx), k = "
        f"{', '.join(map(str, cfg['frequency_sweep']['frequencies']))} (frequency sweep), at {cfg['grid']['n']} "
        f"points of [{cfg['grid']['low']:.4g}, {cfg['grid']['high']:.4g}]"
    )
