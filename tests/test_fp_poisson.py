"""fp_poisson: the three claims on synthetic error histories (pass, and fail when the order is
reversed, tied, flat, or the hybrid is not the fastest), and a tiny run of the three solvers: the
Jacobi rows follow the analytic contraction factor, the controls are what they say."""

import numpy as np
import pandas as pd
import pytest

from fprinciple import claims as claims_table
from fprinciple.experiments.fp_poisson import claims as analysis
from fprinciple.experiments.fp_poisson import run as fp_poisson
from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.targets.poisson_problem import interior_grid
from fprinciple.theory.jacobi import contraction_factors, laplacian_eigenvalues
from fprinciple.training import RunContext

MODES = (1, 4, 8)
CFG = {
    "seeds": [0],
    "problem": {"wavenumbers": [1, 4], "amplitudes": [1.0, 0.25]},
    "n_interior": 31,
    "spectrum_max": 8,
    "dnn": {
        "model": {"hidden": [8], "activation": "tanh", "init": "fan_in", "init_std": 1.0, "bias": True},
        "loss": "ritz",
        "boundary_weight": 100.0,
        "optimizer": {"name": "adam", "lr": 1e-3},
        "steps": 12,
        "log_every": 4,
    },
    "jacobi": {"omega": 2 / 3, "max_sweeps": 40, "log_every": 5},
    "hybrid": {"dnn_steps": 8},
    "error": {"mode_threshold": 0.1, "window": 2, "target": 0.02},
}
LIMITS = {**CFG, "hybrid": {"dnn_steps": 100}}


def modes(solver, converged_at, seed=0, learner=TRAINED, steps=300, every=10):
    """Per-mode relative errors: 0.5 before the mode's step, 0.01 from it on (None: never)."""
    rows = []
    for step in range(0, steps + 1, every):
        for k, at in zip(MODES, converged_at):
            rows.append(
                {
                    "seed": seed,
                    "solver": solver,
                    "learner": learner,
                    "step": step,
                    "metric": "mode_error",
                    "key": float(k),
                    "value": 0.01 if at is not None and step >= at else 0.5,
                }
            )
    return pd.DataFrame(rows)


def total(solver, reached, seed=0, learner=TRAINED, start=0, steps=300, every=10):
    """Relative L² error: 0.5 before `reached`, 0.01 from it on (None: never), and its wall time."""
    rows = []
    for step in range(start, start + steps + 1, every):
        value = 0.01 if reached is not None and step >= reached else 0.5
        rows.append(
            {
                "seed": seed,
                "solver": solver,
                "learner": learner,
                "step": step,
                "metric": "rel_error",
                "key": np.nan,
                "value": value,
            }
        )
        rows.append(
            {
                "seed": seed,
                "solver": solver,
                "learner": learner,
                "step": step,
                "metric": "wall_s",
                "key": np.nan,
                "value": step / 1000,
            }
        )
    return pd.DataFrame(rows)


def by_claim(metrics, cfg=LIMITS):
    return {c.claim: c for c in analysis.claims(metrics, cfg)}


def good(seed=0, learner=TRAINED):
    return pd.concat(
        [
            modes("dnn", (20, 60, 150), seed, learner),
            modes("jacobi", (250, 60, 20), seed, learner),
            modes("hybrid", (150, 120, 110), seed, learner),
            total("dnn", None, seed, learner),
            total("jacobi", 250, seed, learner),
            total("hybrid", 180, seed, learner, start=100),
        ]
    )


def test_all_three_claims_pass_on_the_papers_picture():
    result = by_claim(pd.concat([good(0), good(1)]))
    assert all(c.passed for c in result.values())
    assert "k=1: 20, k=4: 60, k=8: 150" in result["dnn_low_to_high"].measured
    assert "hybrid 180 (0.18 s), Jacobi 250 (0.25 s), DNN never in 300" in result["hybrid_fewest_iterations"].measured
    assert result["dnn_low_to_high"].note.startswith("loss: the deep Ritz energy")  # the row names its loss
    residual = by_claim(pd.concat([good(0), good(1)]), {**LIMITS, "dnn": {**LIMITS["dnn"], "loss": "residual"}})
    assert residual["dnn_low_to_high"].note.startswith("loss: the strong-form residual")


@pytest.mark.parametrize(
    "dnn,jacobi",
    [
        ((150, 60, 20), (250, 60, 20)),
        ((20, 20, 150), (250, 60, 20)),
        ((20, 60, 150), (20, 60, 250)),
        ((None, None, None), (None, None, None)),
    ],
)
def test_order_claims_fail_on_a_reversed_tied_or_flat_history(dnn, jacobi):
    metrics = pd.concat([modes("dnn", dnn), modes("jacobi", jacobi)])
    result = by_claim(metrics)
    assert not (result["dnn_low_to_high"].passed and result["jacobi_high_to_low"].passed)
    assert not result["hybrid_fewest_iterations"].passed  # no total errors at all: fails, no crash


@pytest.mark.parametrize(
    "dnn,jacobi,hybrid",
    [
        (None, 250, 260),  # the hybrid is slower than Jacobi
        (150, 250, 180),  # the DNN alone reaches the target first
        (None, None, 180),  # Jacobi never reaches it: nothing to compare with
        (None, 250, None),  # the hybrid never reaches it
    ],
)
def test_hybrid_claim_fails_when_the_hybrid_is_not_the_fastest(dnn, jacobi, hybrid):
    metrics = pd.concat([total("dnn", dnn), total("jacobi", jacobi), total("hybrid", hybrid, start=100)])
    assert not by_claim(metrics)["hybrid_fewest_iterations"].passed


def test_hybrid_beyond_the_dnn_run_is_not_counted_as_faster():
    # The DNN ran 300 iterations without reaching the target, the hybrid needs 350: inconclusive.
    metrics = pd.concat(
        [total("dnn", None), total("jacobi", 400, steps=500), total("hybrid", 350, start=100, steps=400)]
    )
    assert not by_claim(metrics)["hybrid_fewest_iterations"].passed


def test_the_opposite_control_sinks_nothing_on_the_papers_picture_and_fails_itself():
    def swapped(seed):
        return pd.concat(
            [
                modes("dnn", (250, 60, 20), seed, "opposite"),
                modes("jacobi", (20, 60, 150), seed, "opposite"),
                total("dnn", 250, seed, "opposite"),
                total("jacobi", None, seed, "opposite"),
                total("hybrid", 250, seed, "opposite"),
            ]
        )

    seeds = range(5)
    metrics = pd.concat([*(good(seed) for seed in seeds), *(swapped(seed) for seed in seeds)])
    table = claims_table.evaluate(analysis.claims, metrics, LIMITS, experiment="fp_poisson", scale="quick", dataset="d")
    assert (table["status"] == "reproduced").all() and not table["control_opposite"].any()


def test_a_mode_that_never_converges_fails_the_order():
    """The loose pass closed: a mode that never converges no longer counts as "after the run"."""
    result = by_claim(pd.concat([good(), modes("dnn", (20, 60, None), seed=1)]))
    assert not result["dnn_low_to_high"].passed


# --- a tiny run of the three solvers ------------------------------------------------------------


@pytest.fixture(scope="module")
def records():
    return fp_poisson.run(CFG, {"seeds": [0]}, RunContext(progress=False)).records


def test_every_solver_logs_every_learner(records):
    for solver in analysis.SOLVERS:
        rows = records[records["solver"] == solver]
        assert set(rows["learner"]) == {TRAINED, FROZEN, MEAN, "opposite"}
        assert {"rel_error", "mode_error", "error_spectrum"} <= set(rows["metric"])
    hybrid = records[(records["solver"] == "hybrid") & (records["learner"] == TRAINED)]
    assert hybrid["step"].min() == 8 and hybrid["step"].max() == 8 + 40  # DNN steps + sweeps


def test_jacobi_rows_follow_the_analytic_contraction_factor(records):
    rows = records[
        (records["solver"] == "jacobi") & (records["learner"] == TRAINED) & (records["metric"] == "mode_error")
    ]
    _, h = interior_grid(31)
    for k in (1, 4):
        line = rows[rows["key"] == k].sort_values("step")
        rho = contraction_factors(31, 2 / 3)[2 * k - 1]
        fd = (k * np.pi) ** 2 / laplacian_eigenvalues(31, h)[2 * k - 1]  # the FD solution's mode / the exact one
        expected = np.abs((fd - 1) - rho ** line["step"].to_numpy() * fd)
        np.testing.assert_allclose(line["value"].to_numpy(), expected, atol=1e-10)


def test_controls_are_what_they_say(records):
    frozen = records[
        (records["solver"] == "jacobi") & (records["learner"] == FROZEN) & (records["metric"] == "rel_error")
    ]
    np.testing.assert_allclose(frozen["value"], 1.0)  # u = 0, never swept: the error is u itself
    for solver, other in (("dnn", "jacobi"), ("jacobi", "dnn")):
        swapped = records[(records["solver"] == solver) & (records["learner"] == "opposite")]
        original = records[(records["solver"] == other) & (records["learner"] == TRAINED)]
        columns = ["step", "metric", "key", "value"]
        pd.testing.assert_frame_equal(swapped[columns].reset_index(drop=True), original[columns].reset_index(drop=True))
    opposite_hybrid = records[(records["solver"] == "hybrid") & (records["learner"] == "opposite")]
    jacobi = records[(records["solver"] == "jacobi") & (records["learner"] == TRAINED)]
    assert len(opposite_hybrid) == len(jacobi)  # Jacobi in the first stage: Jacobi alone


def test_rehearsal_truncates_dnn_steps_and_sweeps():
    result = fp_poisson.run(CFG, {"seeds": [0]}, RunContext(progress=False, max_steps=3))
    records = result.records
    assert records.loc[records["solver"] == "dnn", "step"].max() == 3
    hybrid = records[(records["solver"] == "hybrid") & (records["learner"] == TRAINED)]
    assert (hybrid["step"].min(), hybrid["step"].max()) == (3, 6)  # hand-over at the truncated DNN's end
