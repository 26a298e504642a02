"""basri_superposition — BJKK19 fig. 2: a deep ReLU net fits y = sin 4θ + sin 14θ on the circle;
the sin 4θ component is fitted long before the sin 14θ component (README.md beside this file)."""

PAPER_FIGURE = "Basri et al., NeurIPS 2019, fig. 2 (superposition of sin 4θ and sin 14θ)"


def dataset(cfg: dict) -> str:
    return "synthetic: evenly spaced points on the circle S¹, y = sin 4θ + sin 14θ normalised to unit norm"
