"""dfp_resnet (XZ20's ResNet-18 experiment): the claims on synthetic accuracy and k0 histories (pass,
and fail on chance accuracy, ties, the opposite order, no movement), one tiny end-to-end run."""

import copy

import numpy as np
import pandas as pd
import pytest

from fprinciple.claims import evaluate
from fprinciple.experiments.dfp_resnet import claims as resnet_claims
from fprinciple.experiments.dfp_resnet import figure
from fprinciple.experiments.dfp_resnet import run as resnet_run
from fprinciple.runner import execute

from .conftest import load_config

CFG = {
    "blocks_removed": [0, 4],
    "claims": {"summary": "median", "train_accuracy": 0.8, "min_validation_accuracy": 0.5, "min_drop": 0.1},
}


def history(train: dict, validation: dict, k0: dict, seeds=(0, 1)) -> pd.DataFrame:
    """Per variant r: accuracy curves over epochs 0..len-1 and median k0 at epochs 0 and the last."""
    rows = []
    for r in train:
        for seed in seeds:
            rows.append((0, "steps_per_epoch", np.nan, 1.0, r, seed))
            for epoch, (a, v) in enumerate(zip(train[r], validation[r])):
                rows += [
                    (epoch, "train_accuracy", np.nan, a, r, seed),
                    (epoch, "validation_accuracy", np.nan, v, r, seed),
                ]
            last = len(train[r]) - 1
            rows += [(0, "median_k0", -3.0, k0[r][0], r, seed), (last, "median_k0", -3.0, k0[r][1], r, seed)]
    frame = pd.DataFrame(rows, columns=["step", "metric", "key", "value", "blocks_removed", "seed"])
    return frame.assign(run=[f"blocks_removed-{r}_seed-{s}" for r, s in zip(frame["blocks_removed"], frame["seed"])])


TRAIN = {0: [0.1, 0.5, 0.85, 0.95], 4: [0.1, 0.4, 0.7, 0.9]}
VALIDATION = {0: [0.1, 0.5, 0.7, 0.8], 4: [0.1, 0.4, 0.6, 0.7]}
K0 = {0: (10.0, 3.0), 4: (9.0, 3.5)}


def verdicts(train=TRAIN, validation=VALIDATION, k0=K0) -> list[bool]:
    return [c.passed for c in resnet_claims.claims(history(train, validation, k0), CFG)]


def test_claims_pass_on_the_paper_pattern():
    claims = resnet_claims.claims(history(TRAIN, VALIDATION, K0), CFG)
    assert [c.claim for c in claims] == [
        "more_blocks_train_faster",
        "more_blocks_generalise_better",
        "deeper_effective_target_lower",
    ]
    assert [c.passed for c in claims] == [True, True, True]
    assert "−0: 2, −4: 3" in claims[0].measured


@pytest.mark.parametrize(
    "changes,expected",
    [
        (
            {
                "train": {0: [0.1] * 4, 4: [0.1] * 4},
                "validation": {0: [0.1] * 4, 4: [0.1] * 4},
                "k0": {0: (10.0, 10.0), 4: (9.0, 9.0)},
            },
            [False, False, False],
        ),  # frozen nets
        (
            {
                "train": {0: [0.1] * 4, 4: [0.1] * 4},
                "validation": {0: [0.1] * 4, 4: [0.1] * 4},
                "k0": {0: (5.0, 5.0), 4: (5.0, 5.0)},
            },
            [False, False, False],
        ),  # the mean predictor: raw input, ties
        ({"train": {0: [0.1, 0.4, 0.7, 0.9], 4: [0.1, 0.5, 0.85, 0.95]}}, [False, True, True]),  # shallow faster
        ({"validation": {0: [0.1, 0.4, 0.6, 0.7], 4: [0.1, 0.5, 0.7, 0.8]}}, [True, False, True]),  # shallow better
        ({"validation": {0: [0.1, 0.3, 0.4, 0.45], 4: [0.1, 0.3, 0.4, 0.4]}}, [True, False, True]),  # under 0.5
        ({"k0": {0: (10.0, 3.6), 4: (9.0, 3.5)}}, [True, True, False]),  # deeper ends higher
        ({"k0": {0: (3.1, 3.0), 4: (9.0, 3.5)}}, [True, True, False]),  # deeper did not move
        ({"train": {0: [0.1, 0.5, 0.7, 0.75], 4: [0.1, 0.4, 0.7, 0.9]}}, [False, True, True]),  # deeper never 0.8
    ],
)
def test_claims_fail(changes, expected):
    arguments = {"train": TRAIN, "validation": VALIDATION, "k0": K0} | changes
    assert verdicts(**arguments) == expected


def test_claims_untested_at_a_scale_are_shown_with_their_reason_and_controls():
    cfg = {**CFG, "claims": {**CFG["claims"], "untested": {"deeper_effective_target_lower": "too small here"}}}
    metrics = pd.concat([history(TRAIN, VALIDATION, K0).assign(learner=name) for name in ("trained", "frozen")])
    table = evaluate(resnet_claims.claims, metrics, cfg, experiment="dfp_resnet", scale="quick", dataset="d")
    assert not table["passed"].any()
    row = table.set_index("claim").loc["deeper_effective_target_lower"]
    assert row["status"] == "untested" and row["note"].startswith("declared untested at this scale: too small here")
    assert row["control_frozen_measured"].startswith("holds in ")


def test_first_epoch_reaching():
    curves = pd.DataFrame([[0.1, 0.5, 0.9], [0.1, 0.2, 0.3]], columns=[0.0, 1.0, 2.0])
    reach = resnet_claims.first_epoch_reaching(curves, 0.5)
    assert reach.iloc[0] == 1.0 and np.isnan(reach.iloc[1])


def test_tiny_run_end_to_end(tmp_path):
    cfg = copy.deepcopy(load_config("smoke.yaml")["experiments"]["dfp_resnet"])
    runs = resnet_run.runs(cfg)
    assert list(runs) == ["blocks_removed-0_seeds-0", "blocks_removed-4_seeds-0"]
    parts = [execute("dfp_resnet", run, cfg, tmp_path / run, threads=1, progress=False) for run in runs]
    metrics = pd.concat(parts, ignore_index=True)
    assert {"train_accuracy", "validation_accuracy", "median_k0", "rdf_S-3"} <= set(metrics["metric"])
    assert set(metrics["blocks_removed"]) == {0, 4}
    table = evaluate(resnet_claims.claims, metrics, cfg, experiment="dfp_resnet", scale="smoke", dataset="d")
    assert len(table) == 3 and not table["control_frozen"].any() and not table["control_mean"].any()
    figure.figure(metrics[metrics["learner"] == "trained"], cfg).savefig(tmp_path / "fig.png")
