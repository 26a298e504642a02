"""fp_parity — XZLXM19: the F-Principle explains why a DNN fails on the parity function: a net
fitted to some points of the Boolean cube fills the rest with a low-frequency function, which leans
to the wrong sign for the parity (README.md beside this file)."""

PAPER_FIGURE = "Xu et al., CiCP 2020, the parity function (bad generalization explained by the F-Principle)"
RANDOM_FILL = "random_fill"  # the coin-flip fill: a control the run logs and a claim exempts


def dataset(cfg: dict) -> str:
    return (
        f"synthetic: {cfg['n_train']} random points of the Boolean cube {{−1, 1}}^{cfg['dim']} (with repeats) "
        "for training, the points never drawn for testing"
    )
