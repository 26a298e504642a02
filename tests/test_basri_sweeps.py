"""The learning-time sweep machinery: data on S¹/S², the batched ensemble, the GD runner, the
batched-vs-sequential equality, resume, and the claims on synthetic and real metrics."""

import copy
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from fprinciple import runner
from fprinciple.experiments import basri_deep, basri_shallow_1d, basri_shallow_2d
from fprinciple.learners import FROZEN, MEAN, TRAINED
from fprinciple.models import basri_shallow, kaiming_mlp
from fprinciple.targets import sphere
from fprinciple.training import RunContext
from fprinciple.training.ensemble import LearningTimeSpec, learning_times



# --- targets ---------------------------------------------------------------------------------


def test_points_lie_on_circle_and_sphere():
    rng = np.random.default_rng(0)
    for points in (sphere.on_circle(sphere.circle_angles(50, "uniform", rng)), sphere.sphere_points(50, "uniform", rng),
                   sphere.sphere_points(50, "even")):
        np.testing.assert_allclose(np.linalg.norm(points, axis=1), 1.0)
    even = sphere.circle_angles(8, "even")
    np.testing.assert_allclose(np.diff(even), 2 * np.pi / 8)
    with pytest.raises(ValueError, match="allowed"):
        sphere.circle_angles(8, "grid")


def test_fibonacci_sphere_is_evenly_spread():
    x = sphere.sphere_points(2000, "even")
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=1e-3)  # no preferred direction
    np.testing.assert_allclose(x.T @ x / len(x), np.eye(3) / 3, atol=2e-3)  # isotropic second moment


def test_zonal_harmonics_are_orthogonal_on_the_sphere():
    """Degree-k harmonics are orthogonal in L²(S²): on an even point set the Gram matrix of
    normalised P_0..P_6 is close to the identity."""
    x = sphere.sphere_points(20000, "even")
    basis = np.stack([sphere.unit_norm(sphere.zonal_harmonic(x, k)) for k in range(7)])
    np.testing.assert_allclose(basis @ basis.T, np.eye(7), atol=5e-3)


def test_unit_norm_target_and_zero_target_error():
    theta = sphere.circle_angles(101, "even")
    assert np.linalg.norm(sphere.unit_norm(sphere.sine(theta, 3))) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="identically zero"):
        sphere.unit_norm(np.zeros(5))


def test_missing_arc_leaves_the_gap_empty():
    theta = sphere.missing_arc_angles(32, 5 * np.pi / 12)
    assert len(theta) == 32 and np.all(np.abs(theta) >= 5 * np.pi / 12 - 1e-12)
    assert theta.min() == pytest.approx(-np.pi) and theta.max() == pytest.approx(np.pi)


# --- the ensemble model ------------------------------------------------------------------------


def _generators(seeds):
    return [torch.Generator().manual_seed(s) for s in seeds]


def test_member_init_does_not_depend_on_its_batch():
    alone = basri_shallow(_generators([7]), 2, 16, 1.0, bias=True)
    together = basri_shallow(_generators([3, 7, 9]), 2, 16, 1.0, bias=True)
    x = torch.randn(1, 10, 2)
    torch.testing.assert_close(alone(x), together(x.expand(3, -1, -1))[1:2])
    deep_alone, deep_together = kaiming_mlp(_generators([5]), 2, [8, 8]), kaiming_mlp(_generators([1, 5]), 2, [8, 8])
    torch.testing.assert_close(deep_alone(x), deep_together(x.expand(2, -1, -1))[1:2])


def test_shallow_net_matches_its_formula():
    model = basri_shallow(_generators([0]), 2, 32, 2.5, bias=True)
    with torch.no_grad():
        model.biases[0].normal_()
    x = torch.randn(1, 5, 2)
    w, b, a = model.weights[0][0], model.biases[0][0], model.readout[0]
    expected = torch.relu(x[0] @ w + b) @ a / 32**0.5
    torch.testing.assert_close(model(x)[0], expected)
    assert set(torch.unique(a).tolist()) == {-1.0, 1.0}
    assert [name for name, _ in model.named_parameters()] == ["weights.0", "biases.0"]  # a is fixed


def test_symmetric_init_starts_at_zero_output_with_the_same_units():
    model = basri_shallow(_generators([0, 1]), 3, 20, 1.0, bias=False, symmetric=True)
    assert model(torch.randn(2, 30, 3)).abs().max() < 1e-6  # zero up to float rounding
    w = model.weights[0]
    torch.testing.assert_close(w[:, :, :10], w[:, :, 10:])
    with pytest.raises(ValueError, match="even width"):
        basri_shallow(_generators([0]), 2, 21, 1.0, bias=False, symmetric=True)


def test_residual_net_needs_equal_widths_and_adds_the_skip():
    with pytest.raises(ValueError, match="equal width"):
        kaiming_mlp(_generators([0]), 2, [8, 16], residual=True)
    plain, residual = kaiming_mlp(_generators([0]), 2, [8, 8]), kaiming_mlp(_generators([0]), 2, [8, 8], residual=True)
    x = torch.randn(1, 4, 2)
    assert not torch.allclose(plain(x), residual(x))


def test_subset_keeps_the_chosen_members():
    model = basri_shallow(_generators([0, 1, 2]), 2, 8, 1.0, bias=True)
    x = torch.randn(3, 6, 2)
    before = model(x).detach()
    model = model.subset(torch.tensor([True, False, True]))
    assert model.members == 2
    torch.testing.assert_close(model(x[[0, 2]]), before[[0, 2]])


# --- the learning-time runner ---------------------------------------------------------------


def _tiny_problem(ks=(1, 2, 3), seeds=(0, 1), width=32, n=48):
    members = [(k, s) for k in ks for s in seeds]
    xs, ys, gens = [], [], []
    for k, s in members:
        rng = np.random.default_rng([s, k])
        theta = sphere.circle_angles(n, "uniform", rng)
        xs.append(sphere.on_circle(theta))
        ys.append(sphere.unit_norm(sphere.sine(theta, k)))
        gens.append(torch.Generator().manual_seed(int(rng.integers(2**62))))
    model = basri_shallow(gens, 2, width, 1.0, bias=False)
    return model, torch.tensor(np.array(xs), dtype=torch.float32), torch.tensor(np.array(ys), dtype=torch.float32)


def _trained(result, metric):
    rows = result.records
    return rows[(rows["metric"] == metric) & (rows["learner"] == TRAINED)]


def _times(result):
    return _trained(result, "learning_time").set_index("member")["value"].sort_index()


def test_batched_and_sequential_give_the_same_learning_times():
    """The GPU path (one batched ensemble) and the CPU path (one member at a time) agree."""
    model, x, y = _tiny_problem()
    spec = LearningTimeSpec(lr=0.05, cap=300, threshold=0.05, log_every=10)
    batched = learning_times(copy.deepcopy(model), x, y, spec, RunContext(), batch=None)
    sequential = learning_times(copy.deepcopy(model), x, y, spec, RunContext(), batch=1)
    pairs = learning_times(copy.deepcopy(model), x, y, spec, RunContext(), batch=4)
    pd.testing.assert_series_equal(_times(batched), _times(sequential))
    pd.testing.assert_series_equal(_times(batched), _times(pairs))
    times = _times(batched).to_numpy()
    assert np.isfinite(times[:4]).all()  # k = 1, 2 learned
    assert np.isnan(times[4:]).all()  # k = 3 without bias: never, recorded as NaN, not as the cap


def test_controls_are_never_learned_unless_already_below_the_threshold():
    """The frozen net keeps its initial loss and the mean predictor its constant loss: learned
    at update 0 or never, recorded for every member at no training cost."""
    model, x, y = _tiny_problem()
    spec = LearningTimeSpec(lr=0.05, cap=300, threshold=0.05, log_every=10)
    records = learning_times(model, x, y, spec, RunContext(), batch=2).records
    for learner in (FROZEN, MEAN):
        rows = records[records["learner"] == learner]
        times = rows[rows["metric"] == "learning_time"].set_index("member")["value"]
        assert len(times) == model.members and times.isna().all()
        assert (rows["step"] == 0).all()
    easy = LearningTimeSpec(lr=0.05, cap=300, threshold=1e9, log_every=10)
    records = learning_times(model, x, y, easy, RunContext(), batch=2).records
    frozen = records[(records["learner"] == FROZEN) & (records["metric"] == "learning_time")]["value"]
    assert (frozen == 0).all()  # a threshold the initial net already meets: learned at update 0


def test_learning_time_is_the_first_update_below_threshold():
    model, x, y = _tiny_problem(ks=(2,), seeds=(0,))
    spec = LearningTimeSpec(lr=0.05, cap=300, threshold=0.05, log_every=1)
    result = learning_times(model, x, y, spec, RunContext())
    losses = _trained(result, "train_loss").set_index("step")["value"]
    t = int(_times(result).iloc[0])
    assert losses[t] < 0.05 and (losses[losses.index < t] >= 0.05).all()


def test_relative_threshold_and_divergence_are_recorded():
    model, x, y = _tiny_problem(ks=(1,), seeds=(0,))
    spec = LearningTimeSpec(lr=50.0, cap=100, loss="mse", threshold=0.05, relative=True, log_every=1)
    result = learning_times(model, x, y, spec, RunContext())
    final = _trained(result, "final_loss")["value"]
    assert np.isnan(_times(result).iloc[0]) and not np.isfinite(final.iloc[0])


class Killed(Exception):
    pass


@pytest.mark.parametrize("saves_before_kill", [2, 5])
def test_killed_sweep_resumes_with_identical_times(tmp_path, monkeypatch, saves_before_kill):
    """Kill the job right after its n-th checkpoint (mid-batch or between batches), resume,
    and get exactly the uninterrupted records."""
    from fprinciple.training import checkpoint

    model, x, y = _tiny_problem()
    spec = LearningTimeSpec(lr=0.05, cap=60, threshold=0.05, log_every=10)
    ctx = RunContext(checkpoint=tmp_path / "checkpoint.pt", checkpoint_every=7, fingerprint="f")
    full = learning_times(copy.deepcopy(model), x, y, spec, RunContext(), batch=2)
    real_save, saves = torch.save, []

    def save_then_die(obj, path):
        real_save(obj, path)
        saves.append(path)
        if len(saves) == saves_before_kill:
            raise Killed

    monkeypatch.setattr(checkpoint.torch, "save", save_then_die)
    with pytest.raises(Killed):
        learning_times(copy.deepcopy(model), x, y, spec, ctx, batch=2)
    monkeypatch.setattr(checkpoint.torch, "save", real_save)
    resumed = learning_times(copy.deepcopy(model), x, y, spec, ctx, batch=2)
    order = ["member", "metric", "step"]
    pd.testing.assert_frame_equal(
        full.records.sort_values(order).reset_index(drop=True), resumed.records.sort_values(order).reset_index(drop=True)
    )
    other = learning_times(copy.deepcopy(model), x, y, spec, replace(ctx, fingerprint="g"), batch=2)
    assert other.resumed_from == 0


# --- experiments and claims -------------------------------------------------------------------


def _tiny_cfg(quick_config, experiment):
    cfg = copy.deepcopy(quick_config["experiments"][experiment])
    cfg.update(seeds=[0], k_max=4, k_per_job=2, log_every=5)
    cfg["points"]["n"] = 64
    if "width" in cfg:
        cfg["width"] = 64
    for net in cfg["nets"].values():
        net["cap"] = 150
        if "hidden" in net:
            net["hidden"] = [16, 16]
    return cfg


def test_runs_cover_every_net_and_frequency(quick_config):
    cfg = quick_config["experiments"]["basri_shallow_1d"]
    runs = basri_shallow_1d.runs(cfg)
    covered = sorted((v["net"], k) for v in runs.values() for k in v["ks"])
    assert covered == sorted((net, k) for net in cfg["nets"] for k in range(1, cfg["k_max"] + 1))
    assert "net-bias_k-1-4" in runs


@pytest.mark.parametrize("module", [basri_shallow_1d, basri_shallow_2d, basri_deep])
def test_sweep_run_writes_tidy_metrics(quick_config, module, tmp_path):
    experiment = module.__name__.rsplit(".", 1)[-1]
    cfg = _tiny_cfg(quick_config, experiment)
    run = next(iter(module.runs(cfg)))
    metrics = runner.execute(experiment, run, cfg, tmp_path, progress=False)
    assert list(metrics.columns[:7]) == ["experiment", "run", "seed", "step", "metric", "key", "value"]
    assert {"net", "k"} <= set(metrics.columns) and "ks" not in metrics.columns
    assert set(metrics["metric"]) == {"train_loss", "learning_time", "final_loss"}
    assert (tmp_path / "meta.json").exists() and not (tmp_path / "checkpoint.pt").exists()


def _synthetic(times_by_net: dict[str, dict[int, list[float]]]) -> pd.DataFrame:
    rows = []
    for net, by_k in times_by_net.items():
        for k, seeds in by_k.items():
            for seed, t in enumerate(seeds):
                rows += [(seed, "learning_time", t, net, k), (seed, "final_loss", 0.01 if np.isfinite(t) else 0.5, net, k)]
    frame = pd.DataFrame(rows, columns=["seed", "metric", "value", "net", "k"])
    return frame.assign(experiment="basri_shallow_1d", run="r", step=0, key=np.nan)


def _claims(metrics, cfg):
    return {c.claim: c.passed for c in basri_shallow_1d.claims(metrics, cfg)}


def test_shallow_claims_follow_the_theory_and_fail_otherwise(quick_config):
    cfg = copy.deepcopy(quick_config["experiments"]["basri_shallow_1d"])
    ks = np.arange(1, cfg["k_max"] + 1)
    with np.errstate(divide="ignore"):  # odd k without bias: zero eigenvalue
        ideal = {name: 0.002 / (cfg["lr"] * basri_shallow_1d.eigenvalues(ks, net["bias"])) for name, net in cfg["nets"].items()}
    good = {
        "no_bias": {int(k): [np.nan] * 2 if k % 2 and k >= 3 else [t, t * 1.01] for k, t in zip(ks, ideal["no_bias"])},
        "bias": {int(k): [t, t * 1.01] for k, t in zip(ks, ideal["bias"])},
    }
    assert all(_claims(_synthetic(good), cfg).values())

    odd_learned = copy.deepcopy(good)
    odd_learned["no_bias"][5] = [300.0, 300.0]
    assert not _claims(_synthetic(odd_learned), cfg)["odd_k_not_learned_no_bias"]

    linear = copy.deepcopy(good)
    linear["bias"] = {int(k): [10.0 * k] * 2 for k in ks}  # grows like k, not k²
    verdict = _claims(_synthetic(linear), cfg)
    assert not verdict["loglog_slope_bias"] and not verdict["tracks_prediction_bias"]

    capped = copy.deepcopy(good)
    capped["bias"][16] = [np.nan, 600.0]
    assert not _claims(_synthetic(capped), cfg)["every_k_learned_bias"]
