"""basri_shallow_2d — BJKK19: the same two-layer net on the sphere S², target the zonal harmonic
of degree k; learning time grows like k³, and without bias odd k ≥ 3 are not learnable."""

from ...families import sweep
from ...theory.basri import sphere_eigenvalues

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, the learning time vs k on S², without and with bias (figure number unconfirmed)"
)


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the sphere S², target the zonal harmonic P_k(x₃) scaled to unit norm"


def eigenvalues(k, bias: bool):
    """λ_k on S² of the net as trained (bias as b: input scale s = 1)."""
    return sphere_eigenvalues(k, d=3, bias=bias, input_scale=1.0)


def expected_updates(cfg: dict, variant: dict) -> float | None:
    """The member-updates a job is expected to train (``fprinciple.cost``): the closed-form times."""
    return sweep.expected_updates(cfg, variant, eigenvalues)
