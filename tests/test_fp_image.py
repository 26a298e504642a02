"""fp_image: the photograph target, the e_low/e_high crossing claims, one tiny end-to-end run."""

import numpy as np
import pandas as pd
import pytest

from fprinciple.experiments import fp_image
from fprinciple.runner import execute
from fprinciple.figures import fp_image as figure


@pytest.fixture
def cfg() -> dict:
    return {
        "seeds": [0, 1], "image": {"size": 16},
        "model": {"hidden": [16, 16], "activation": "relu", "init_std": 1.0, "bias": True},
        "optimizer": {"name": "adam", "lr": 1e-2}, "steps": 20, "log_every": 5,
        "snapshot_steps": [5, 20], "cutoffs": [0.2, 0.4], "claims": {"threshold": 0.5, "early_margin": 0.3},
    }


def errors_table(low: list[float], high: list[float], steps=(0, 10, 20, 30), snapshot=None) -> pd.DataFrame:
    """Metrics of one seed whose e_low / e_high follow the given histories at every cutoff."""
    rows = []
    for cutoff in (0.1, 0.2):
        for step, lo, hi in zip(steps, low, high):
            rows += [(step, "e_low", cutoff, lo), (step, "e_high", cutoff, hi)]
    frame = pd.DataFrame(rows, columns=["step", "metric", "key", "value"])
    return frame.assign(run="seed-0", seed=0)


def claim_cfg(first_snapshot: int = 10) -> dict:
    return {"cutoffs": [0.1, 0.2], "snapshot_steps": [first_snapshot, 30], "claims": {"threshold": 0.5, "early_margin": 0.3}}


def test_runs_one_per_seed(cfg):
    assert fp_image.runs(cfg) == {"seed-0": {"seed": 0}, "seed-1": {"seed": 1}}
    assert "16×16" in fp_image.DATASET(cfg)


def test_image_and_coordinates():
    target = fp_image.image({"image": {"size": 16}})
    assert target.shape == (16, 16) and 0 <= target.min() < target.max() <= 1
    assert fp_image.image({"image": {"size": 512}}).shape == (512, 512)
    xy = fp_image.coordinates((2, 3))  # row-major: x runs across a row first
    np.testing.assert_allclose(xy, [[-1, -1], [0, -1], [1, -1], [-1, 1], [0, 1], [1, 1]])


def test_claims_pass_when_low_falls_first_and_fail_otherwise():
    good = fp_image.claims(errors_table([1.0, 0.3, 0.1, 0.05], [1.0, 0.9, 0.6, 0.4]), claim_cfg())
    assert [c.passed for c in good] == [True, True]
    assert "e_low at 10" in good[0].measured and "e_high at 30" in good[0].measured
    never = fp_image.claims(errors_table([1.0, 0.3, 0.1, 0.05], [1.0, 0.9, 0.8, 0.7]), claim_cfg())
    assert never[0].passed and "never" in never[0].measured  # high never crossing: still coarse first
    together = fp_image.claims(errors_table([1.0, 0.3, 0.1, 0.05], [1.0, 0.4, 0.2, 0.1]), claim_cfg())
    assert [c.passed for c in together] == [False, False]  # same step; and only 0.1 apart at step 10
    no_low = fp_image.claims(errors_table([1.0, 0.9, 0.8, 0.7], [1.0, 0.9, 0.8, 0.7]), claim_cfg())
    assert not no_low[0].passed


def test_tiny_run_end_to_end(cfg, tmp_path):
    cfg["seeds"] = [0]
    metrics = execute("fp_image", "seed-0", cfg, tmp_path, threads=1, progress=False)
    target = metrics[metrics["metric"] == "target"]
    assert len(target) == 256 and target["step"].eq(0).all()
    assert sorted(metrics[metrics["metric"] == "output"]["step"].unique()) == [5, 20]
    low = metrics[metrics["metric"] == "e_low"]
    assert sorted(low["key"].unique()) == [0.2, 0.4] and sorted(low["step"].unique()) == [0, 5, 10, 15, 20]
    # the logged output at the last step reproduces the logged errors
    output = metrics[(metrics["metric"] == "output") & (metrics["step"] == 20)].sort_values("key")["value"]
    e = fp_image.radial_errors(target.sort_values("key")["value"].to_numpy().reshape(16, 16),
                               output.to_numpy().reshape(16, 16), 0.2)
    logged = metrics[(metrics["step"] == 20) & (metrics["key"] == 0.2)].set_index("metric")["value"]
    assert e == pytest.approx((logged["e_low"], logged["e_high"]))
    assert len(fp_image.claims(metrics, cfg)) == 2
    figure.figure(metrics, cfg).savefig(tmp_path / "fig.png")
