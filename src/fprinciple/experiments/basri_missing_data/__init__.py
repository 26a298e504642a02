"""basri_missing_data — BJKK19 fig. 1 (right): a wide two-layer ReLU net trained on sin 6θ at
points that leave a gap on the circle, and what it puts into the gap (README.md beside this file)."""

PAPER_FIGURE = "Basri et al., NeurIPS 2019, fig. 1, right (missing data: what the net puts into a gap)"


def dataset(cfg: dict) -> str:
    return "synthetic: 32 points on the circle S¹ outside a 150° gap around θ = 0, y = sin 6θ"
