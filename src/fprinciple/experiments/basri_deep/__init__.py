"""basri_deep — BJKK19: deep (and residual) ReLU nets also learn frequency k in a time that
grows roughly like k², beyond the two-layer theory.

The authors ran two tasks (Deep/deep5_1D, Deep/crossRes10_1D): a plain net regressing
sin(k(θ + φ)) on the MSE, and a residual net classifying the sign of sin(k(θ + φ)) with two
logits and cross-entropy, on the points where |sin| > 2/3 only. A net's `task` chooses which.
"""

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, the learning time vs k for a deep net and a residual net (figure number unconfirmed)"
)


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the circle S¹, target sin(k(θ + φ)) (or its sign) with a random phase φ"
