"""basri_shallow_1d — BJKK19: a two-layer ReLU net learns sin(kθ) on the circle in a time that
grows like k², as the closed-form NTK eigenvalues predict; without bias odd k ≥ 3 are never learned."""

from ...families import sweep
from ...theory.basri import circle_eigenvalues

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, the learning time vs k on S¹, without and with bias (figure number unconfirmed)"
)


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the circle S¹, target sin(kθ) scaled to unit norm"


def eigenvalues(k, bias: bool):
    """λ_k of the net as trained: the bias enters as b, i.e. input (x, 1) with scale s = 1."""
    return circle_eigenvalues(k, bias, input_scale=1.0)


def expected_updates(cfg: dict, variant: dict) -> float | None:
    """The member-updates a job is expected to train (``fprinciple.cost``): the closed-form times."""
    return sweep.expected_updates(cfg, variant, eigenvalues)
