"""basri_shallow_2d — BJKK19: the same two-layer net on the sphere S², target the zonal harmonic
of degree k; learning time grows like k³, and without bias odd k ≥ 3 are not learnable."""

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, the learning time vs k on S², without and with bias (figure number unconfirmed)"
)


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the sphere S², target the zonal harmonic P_k(x₃) scaled to unit norm"
