"""basri_shallow_1d — BJKK19: a two-layer ReLU net learns sin(kθ) on the circle in a time that
grows like k², as the closed-form NTK eigenvalues predict; without bias odd k ≥ 3 are never learned."""

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, the learning time vs k on S¹, without and with bias (figure number unconfirmed)"
)


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the circle S¹, target sin(kθ) scaled to unit norm"
