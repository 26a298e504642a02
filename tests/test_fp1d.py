"""The 1-D F-Principle experiments (engines/fit1d.py, analysis/fit1d.py, fp1d_*): the high-frequency-first control,
the claims on synthetic ΔF histories (passing, and failing on frozen-like, mean, opposite, a
transient dip, a single peak, a broken seed, a peak that never converges), one tiny run each."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import claims as claims_table
from fprinciple.analysis.fit1d import convergence, order_claim
from fprinciple.engines import fit1d
from fprinciple.experiments.fp1d_equal_amp import claims as fp1d_equal_amp
from fprinciple.experiments.fp1d_equal_amp import figure as equal_amp_figure
from fprinciple.experiments.fp1d_robustness import claims as robustness_claims
from fprinciple.experiments.fp1d_robustness import figure as robustness_figure
from fprinciple.experiments.fp1d_robustness import run as robustness_run
from fprinciple.experiments.fp1d_snapshots import claims as fp1d_snapshots
from fprinciple.experiments.fp1d_step import claims as fp1d_step
from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.runner import execute
from fprinciple.spectral.dft import delta_f, spectrum, uniform_grid
from fprinciple.training import RunContext
from fprinciple.training.trainer import steps_per_epoch

from .conftest import load_config

SPECTRUM = {"max_freq": 20, "delta_form": "complex", "threshold": 0.1, "window": 3}
STEPS = np.arange(0, 100, 10)  # ten logged steps


def falls_at(step: int, after: float = 0.02) -> np.ndarray:
    """A ΔF history at 1 until `step`, then at `after` for the rest of the run."""
    return np.where(STEPS < step, 1.0, after)


def delta_rows(histories: dict[int, np.ndarray], seed: int = 0, **columns) -> pd.DataFrame:
    """delta_f metrics of one net whose peak k follows histories[k] over STEPS."""
    rows = [(step, k, value) for k, history in histories.items() for step, value in zip(STEPS, history)]
    frame = pd.DataFrame(rows, columns=["step", "key", "value"]).assign(metric="delta_f")
    return frame.assign(run=f"seed-{seed}", seed=seed, learner=TRAINED, **columns)


def order_passes(histories, window=3) -> bool:
    cfg = {"spectrum": {**SPECTRUM, "window": window}}
    return order_claim(delta_rows(histories), cfg, "order").passed


# --- the opposite control --------------------------------------------------------------------


def test_high_frequency_first_reveals_the_target_from_the_top_down():
    x = uniform_grid(101, -3.1415, 3.1415)
    y = np.sin(x) + np.sin(3 * x) + np.sin(5 * x)
    control = fit1d.HighFrequencyFirst(x, y, top=20, reveal_steps=100)
    inputs = torch.as_tensor(x, dtype=torch.float32)[:, None]
    y_hat = spectrum(y)
    history = []
    for step in range(0, 121, 2):
        h = control.at(step)(inputs)[:, 0].double().numpy()
        history.append(delta_f(spectrum(h)[[1, 3, 5]], y_hat[[1, 3, 5]]))
    history = np.array(history)
    assert np.allclose(history[0], 1.0)  # nothing of the target's band at step 0
    admitted = [np.argmax(history[:, i] < 1e-4) for i in range(3)]  # first index fitted, per peak
    assert admitted[2] < admitted[1] < admitted[0]  # k = 5 first, k = 1 last
    assert np.abs(control.at(100)(inputs)[:, 0].double().numpy() - y).max() < 1e-5  # then the target
    coefficients = np.fft.rfft(y)
    above_top = np.fft.irfft(coefficients * (np.arange(len(coefficients)) >= 20), n=len(y))
    np.testing.assert_allclose(control.at(0)(inputs)[:, 0].double().numpy(), above_top, atol=1e-5)  # k ≥ 20 only


def test_high_frequency_first_interpolates_between_grid_points():
    x = uniform_grid(64, -np.pi, np.pi, endpoint=False)
    control = fit1d.HighFrequencyFirst(x, np.sin(3 * x) + 0.5, top=10, reveal_steps=1).at(1)
    off_grid = torch.tensor([[0.123], [-2.0]], dtype=torch.float64)
    np.testing.assert_allclose(control(off_grid)[:, 0].numpy(), np.sin(3 * off_grid[:, 0].numpy()) + 0.5, atol=1e-9)


def test_order_claim_fails_on_the_opposite_control():
    x = uniform_grid(101, -3.1415, 3.1415)
    y = np.sin(x) + np.sin(3 * x) + np.sin(5 * x)
    control = fit1d.HighFrequencyFirst(x, y, top=20, reveal_steps=50)
    cfg = {"spectrum": SPECTRUM, "log_every": 10}
    hook = fit1d.spectral_hook(x, y, cfg, torch.device("cpu"))
    rows = [
        (step, metric, key, value)
        for step in STEPS
        for metric, keys, values in hook(int(step), control.at(int(step)), False)
        for key, value in zip(np.broadcast_to(keys, np.shape(values)), np.atleast_1d(values))
    ]
    metrics = pd.DataFrame(rows, columns=["step", "metric", "key", "value"]).assign(run="seed-0", seed=0)
    claim = order_claim(metrics, cfg, "order")
    assert not claim.passed and "k=1: 50" in claim.measured and "k=5: 40" in claim.measured


# --- the order claim on synthetic histories --------------------------------------------------


def test_order_claim_passes_when_low_frequencies_converge_first():
    assert order_passes({1: falls_at(10), 3: falls_at(30), 5: falls_at(50)})


@pytest.mark.parametrize(
    "histories",
    [
        pytest.param({1: np.full(10, 0.97), 3: np.full(10, 1.02), 5: np.full(10, 0.99)}, id="frozen-like constant"),
        pytest.param({1: np.ones(10), 3: np.ones(10), 5: np.ones(10)}, id="mean predictor"),
        pytest.param({1: falls_at(50), 3: falls_at(30), 5: falls_at(10)}, id="opposite: high first"),
        pytest.param({1: falls_at(30), 3: falls_at(30), 5: falls_at(50)}, id="tie"),
        pytest.param({1: falls_at(10), 3: falls_at(30), 5: np.full(10, 0.3)}, id="top peak never converges"),
        pytest.param({1: falls_at(10)}, id="single peak"),
    ],
)
def test_order_claim_fails(histories):
    assert not order_passes(histories)


def test_a_transient_dip_is_not_convergence():
    dip = falls_at(60)
    dip[1] = 0.05  # below the threshold for one logged step (step 10), then back up
    histories = {1: dip, 3: falls_at(30), 5: falls_at(80)}
    assert order_passes(histories, window=1)  # "first below" takes the dip for convergence
    assert not order_passes(histories, window=3)


def test_one_broken_seed_fails_the_claim():
    good = delta_rows({1: falls_at(10), 3: falls_at(30), 5: falls_at(50)}, seed=0)
    broken = delta_rows({1: falls_at(50), 3: falls_at(30), 5: falls_at(10)}, seed=1)
    claim = order_claim(pd.concat([good, broken]), {"spectrum": SPECTRUM}, "order")
    assert not claim.passed and "1/2 nets" in claim.measured and "failing: 1:" in claim.measured


def test_robustness_claims_one_per_optimizer_need_every_cell_and_name_a_missing_paper_activation():
    cells = [
        delta_rows({1: falls_at(10), 3: falls_at(30), 5: falls_at(50)}, activation=a, optimizer=o, depth=d)
        for a in ("tanh", "relu")
        for o in ("adam", "gd")
        for d in (2, 3)
    ]
    cfg = {
        "spectrum": SPECTRUM,
        "activations": ["tanh", "relu"],
        "optimizers": {"adam": {}, "gd": {}},
        "depths": [2, 3],
    }
    adam, gd = robustness_claims.claims(pd.concat(cells), cfg)
    assert (adam.claim, gd.claim) == ("convergence_order_adam", "convergence_order_gd")
    assert adam.passed and gd.passed and "4/4 nets" in adam.measured and "sigmoid" in adam.note
    cells[5] = delta_rows(
        {1: falls_at(30), 3: falls_at(30), 5: falls_at(50)}, activation="relu", optimizer="adam", depth=3
    )
    adam, gd = robustness_claims.claims(pd.concat(cells), cfg)
    assert not adam.passed and "3/4 nets" in adam.measured and gd.passed  # a tie in one adam cell


SNAPSHOT_CFG = {
    "grid": {"n": 101, "low": -np.pi, "high": np.pi, "endpoint": True},
    "target": {"kind": "sines", "frequencies": [1, 5], "amplitudes": [1.0, 1.0]},
    "steps": int(STEPS[-1]),
    "snapshot_steps": [0, 30, int(STEPS[-1])],
    "spectrum": SPECTRUM,
    "claims": {"low_fitted_max": 0.1, "high_unfitted_min": 0.5, "final_to_target_max": 0.05},
}


def snapshot_metrics(output_at) -> pd.DataFrame:
    """Metrics of one net whose output at each logged step is output_at(step, x), logged through
    the experiment's own hook (ΔF at the peaks, outputs at the snapshots)."""
    x, y = fit1d.problem(SNAPSHOT_CFG)
    hook = fit1d.spectral_hook(x, y, SNAPSHOT_CFG, torch.device("cpu"))

    class Fixed(torch.nn.Module):
        def __init__(self, step):
            super().__init__()
            self.step = step

        def forward(self, inputs):
            return torch.as_tensor(output_at(self.step, inputs[:, 0].double().numpy()))[:, None]

    rows = [
        (step, metric, key, value)
        for step in STEPS
        for metric, keys, values in hook(int(step), Fixed(int(step)), step == STEPS[-1])
        for key, value in zip(np.broadcast_to(keys, np.shape(values)), np.atleast_1d(values))
    ]
    return pd.DataFrame(rows, columns=["step", "metric", "key", "value"]).assign(run="seed-0", seed=0)


def verdicts(output_at) -> list[bool]:
    return [c.passed for c in fp1d_snapshots.claims(snapshot_metrics(output_at), SNAPSHOT_CFG)]


def test_snapshot_claims_pass_when_sin_x_comes_first():
    assert verdicts(lambda step, x: np.sin(x) + (step >= 50) * np.sin(5 * x)) == [True, True]


@pytest.mark.parametrize(
    "output_at,expected",
    [
        pytest.param(lambda step, x: 0.05 * np.tanh(x), [False, False], id="frozen-like"),
        pytest.param(lambda step, x: np.zeros_like(x), [False, False], id="mean predictor"),
        pytest.param(
            lambda step, x: (step >= 50) * np.sin(x) + (step >= 10) * np.sin(5 * x),
            [False, False],
            id="opposite: sin 5x first",
        ),
        pytest.param(lambda step, x: np.sin(x), [True, False], id="sin 5x never fitted"),
        pytest.param(lambda step, x: np.sin(x) + np.sin(5 * x), [False, False], id="everything at once"),
    ],
)
def test_snapshot_claims_fail(output_at, expected):
    assert verdicts(output_at) == expected


# --- tiny runs through the runner ------------------------------------------------------------


def test_tiny_equal_amp_run_logs_every_control_and_the_claims_fail_on_them(tiny_fit1d, tmp_path):
    metrics = execute("fp1d_equal_amp", "seeds-0", tiny_fit1d, tmp_path, progress=False)
    assert set(metrics["learner"]) == {TRAINED, FROZEN, MEAN, fit1d.OPPOSITE}
    opposite = convergence(metrics[metrics["learner"] == fit1d.OPPOSITE], 0.1, 1)
    assert opposite.sort_values("k")["converged_at"].is_monotonic_decreasing  # k = 5 first
    table = claims_table.evaluate(
        fp1d_equal_amp.claims, metrics, tiny_fit1d, experiment="fp1d_equal_amp", scale="smoke", dataset="x"
    )
    assert {"control_frozen", "control_mean", "control_opposite"} <= set(table.columns)
    assert not table[["control_frozen", "control_mean", "control_opposite"]].any(axis=None)
    equal_amp_figure.figure(metrics[metrics["learner"] == TRAINED], tiny_fit1d).savefig(tmp_path / "fig.png")


def test_authors_initialisation_draws_every_weight_and_bias_from_one_normal():
    model_cfg = {"init": "normal", "init_std": 200**-0.5, "bias": True}
    torch.manual_seed(0)
    net = fit1d.build_model(model_cfg, [200, 200, 200, 100], "tanh")
    for layer in (m for m in net.modules() if isinstance(m, torch.nn.Linear)):
        for tensor in (layer.weight, layer.bias):
            if tensor.numel() >= 100:
                assert tensor.std().item() == pytest.approx(200**-0.5, rel=0.2)


def test_tiny_robustness_job_trains_every_cell_of_one_activation(tiny_fit1d, tmp_path, monkeypatch):
    cfg = copy.deepcopy(tiny_fit1d)
    del cfg["optimizer"], cfg["model"]
    cfg |= {
        "model": {"width": 8, "init": "fan_in", "init_std": 1.0, "bias": True},
        "activations": ["tanh"],
        "depths": [1, 2],
        "steps": 40,
        "optimizers": {
            "adam": {
                "lr": 1e-2,
                "momentum": 0.0,
                "batch_size": None,
                "steps": 20,
                "log_every": 5,
                "model": {"init": "normal", "init_std": 0.5},
            },
            "gd": {"lr": 0.05, "momentum": 0.0, "batch_size": None},
        },
    }
    built = []
    monkeypatch.setattr(fit1d, "build_model", lambda model, *args: built.append(model) or fit1d.MLP(1, 1, *args))
    assert list(robustness_run.runs(cfg)) == ["activation-tanh_seeds-0"]
    metrics = execute("fp1d_robustness", "activation-tanh_seeds-0", cfg, tmp_path, progress=False)
    trained = metrics[metrics["learner"] == TRAINED]
    assert set(map(tuple, trained[["optimizer", "depth"]].drop_duplicates().to_numpy())) == {
        ("adam", 1),
        ("adam", 2),
        ("gd", 1),
        ("gd", 2),
    }
    assert trained.groupby("optimizer")["step"].max().to_dict() == {"adam": 20, "gd": 40}  # per-optimizer steps
    logged = trained[trained["metric"] == "delta_f"].groupby("optimizer")["step"].unique()
    assert list(logged["adam"]) == [0, 5, 10, 15, 20] and list(logged["gd"]) == [
        0,
        10,
        20,
        30,
        40,
    ]  # per-optimizer log_every
    assert [(m["init"], m["init_std"]) for m in built] == [
        ("normal", 0.5),
        ("normal", 0.5),
        ("fan_in", 1.0),
        ("fan_in", 1.0),
    ]  # the Adam cells' own initialisation
    assert len(robustness_claims.claims(trained, cfg)) == len(cfg["optimizers"])
    robustness_figure.figure(trained, cfg).savefig(tmp_path / "fig.png")


@pytest.mark.parametrize("name", ["config.yaml", "paper.yaml"])
def test_robustness_logs_once_per_epoch_as_the_authors(name):
    """The convergence window is the authors' 10 epochs only if every cell logs once an epoch."""
    cfg = load_config(name)["experiments"]["fp1d_robustness"]
    for settings in cfg["optimizers"].values():
        assert settings["log_every"] == steps_per_epoch(cfg["grid"]["n"], settings.get("batch_size"))


def test_step_target_has_its_peaks_at_1_4_7_and_the_claim_reads_them(quick_config):
    cfg = quick_config["experiments"]["fp1d_step"]
    assert list(fit1d.peaks(cfg, fit1d.problem(cfg)[1])) == [1, 4, 7]
    [claim] = fp1d_step.claims(delta_rows({1: falls_at(10), 4: falls_at(30), 7: falls_at(50)}), {"spectrum": SPECTRUM})
    assert claim.passed and claim.claim == "convergence_order"


def test_peaks_converged_fires_once_every_peak_stayed_below_for_a_window():
    rule = fit1d.PeaksConverged(threshold=0.1, window=3)
    records = []
    history = [[0.5, 0.5], [0.05, 0.5], [0.05, 0.05], [0.05, 0.5], [0.05, 0.05], [0.05, 0.05], [0.05, 0.05]]
    for step, values in enumerate(history):
        records.append((step, TRAINED, "delta_f", np.array([1.0, 3.0]), np.array(values)))
        records.append((step, FROZEN, "delta_f", np.array([1.0, 3.0]), np.array([0.0, 0.0])))  # controls ignored
        assert rule(records) == (step == 6), step  # k=3 dips at step 2, is back at 3: its window ends at 6
    assert fit1d.stop_rule({"spectrum": {**SPECTRUM, "stop_when_converged": False}}) is None


def test_a_run_stopped_once_its_peaks_converged_keeps_every_convergence_step(tiny_fit1d):
    """Stopping changes nothing the order claim reads: the convergence steps of the full run."""
    cfg = copy.deepcopy(tiny_fit1d)
    cfg.update(steps=1000, log_every=10, seeds=[0, 1])  # k = 5 converges by step ~800
    cfg["model"] = {"hidden": [64, 64], "activation": "tanh", "init": "fan_in", "init_std": 1.0, "bias": True}
    cfg["optimizer"] = {"name": "adam", "lr": 3e-3, "momentum": 0.0, "batch_size": None}
    cfg["spectrum"] = {**cfg["spectrum"], "window": 3, "stop_when_converged": False}
    stopping = {**cfg, "spectrum": {**cfg["spectrum"], "stop_when_converged": True}}
    for mode in ("sequential", "batched"):
        full = fit1d.run_configured({**cfg, "ensemble": mode}, {"seeds": [0, 1]}, RunContext())
        stopped = fit1d.run_configured({**stopping, "ensemble": mode}, {"seeds": [0, 1]}, RunContext())
        assert stopped.records["step"].max() < full.records["step"].max() and "answered" in stopped.stopped_by

        def steps(records):
            table = convergence(records[records["learner"] == TRAINED].assign(run="r"), 0.1, 3)
            return table.set_index(["seed", "k"])["converged_at"]

        pd.testing.assert_series_equal(steps(stopped.records), steps(full.records))
