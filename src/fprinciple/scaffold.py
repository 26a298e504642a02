"""``python3 run.py new <id>``: write a new experiment folder that works as it stands, to be
made one's own (docs/adding_an_experiment.md).

The folder is a tiny 1-D fit: an MLP fits a sum of three sines, the trainer logs the relative
error ΔF at the target's spectral peaks for the trained net and its controls (frozen, mean, and
a learner that fits high frequencies first), and the one claim is the F-Principle's order.
It runs through the smoke and quick DAGs and passes the consistency checks before any edit,
so each edit from there on is a working step.
"""

from __future__ import annotations

import argparse
import keyword
import re
import shutil
import sys
from pathlib import Path

from . import experiments

ID = re.compile(r"[a-z][a-z0-9_]*")

FILES = {
    "__init__.py": '''"""{id}: a tiny 1-D fit whose spectral peaks converge in increasing order of frequency.

Written by `python3 run.py new {id}`: say here what the experiment shows and which paper it
reproduces. PAPER_FIGURE and dataset(cfg) go into its captions and claim rows.
"""

PAPER_FIGURE = "none yet: name the paper and figure this experiment regenerates"


def dataset(cfg: dict) -> str:
    return "synthetic 1-D sum of sines on a uniform grid"
''',
    "run.py": '''"""{id}, the run side (torch): one job per block of seeds; each fits ``network(cfg)`` to
``problem(cfg)`` and logs, for the trained net and its controls (the frozen initial net, the
targets' mean, and a learner that fits the highest frequency first), the relative error ΔF at the
target's spectral peaks (``engines.fit1d``). Replace ``network`` and ``problem`` with yours."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ...engines.fit1d import opposite_control, spectral_hook, stop_rule
from ...learners import OPPOSITE
from ...spectral.dft import uniform_grid
from ...targets.functions1d import make_target
from ...training import RunContext, TrainResult, TrainSpec
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs

runs = seed_jobs  # one job per block of `seeds_per_job` seeds (default: every seed in one job)


def problem(cfg: dict) -> tuple[np.ndarray, np.ndarray]:
    """The training points and the target on them: a uniform 1-D grid, as the DFT and ΔF assume."""
    grid = cfg["grid"]
    x = uniform_grid(grid["n"], grid["low"], grid["high"])
    return x, make_target(x, cfg["target"])


def network(cfg: dict) -> nn.Module:
    """The net: any torch module mapping (n, 1) inputs to (n, 1) outputs."""
    widths = [1, *cfg["model"]["hidden"]]
    layers = [module for a, b in zip(widths, widths[1:]) for module in (nn.Linear(a, b), nn.Tanh())]
    return nn.Sequential(*layers, nn.Linear(widths[-1], 1))


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    x, y = problem(cfg)
    optimizer = cfg["optimizer"]
    spec = TrainSpec(steps=cfg["steps"], lr=optimizer["lr"], optimizer=optimizer["name"], log_every=cfg["log_every"])
    inputs = torch.as_tensor(x, dtype=torch.float32, device=ctx.device)[:, None]
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    hook = spectral_hook(x, y, cfg, ctx.device)  # logs ΔF at the target's peaks, and the spectra
    opposite = opposite_control(cfg, x, y, ctx.steps(cfg["steps"])).to(ctx.device)
    members = []
    for seed in variant["seeds"]:
        torch.manual_seed(seed)  # the seed is the unit of replication: it draws the initial net
        net = network(cfg).to(ctx.device)
        members.append(
            Member(seed, net, inputs, targets, hooks=[hook], controls={{OPPOSITE: opposite}}, stop=stop_rule(cfg))
        )
    return train_seeds(members, spec, ctx, batched("sequential", ctx.device))
''',
    "claims.py": '''"""{id}, the analysis side (pandas and numpy only: editing it never retrains): the claim that
the target's spectral peaks converge in increasing order of frequency, judged per seed."""

from __future__ import annotations

from ...analysis.fit1d import order_claim


def claims(metrics, cfg: dict):
    return [order_claim(metrics, cfg, "the target's spectral peaks converge in increasing order of frequency")]
''',
    "figure.py": '''"""{id}: ΔF at each spectral peak of the target over training, for the first net."""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

from ...figures import first_net, style


def figure(metrics, cfg: dict):
    style.use()
    delta = first_net(metrics).query("metric == 'delta_f'").astype({{"key": int}})
    fig, ax = plt.subplots(figsize=(5.5, 3.4), layout="constrained")
    sns.lineplot(delta, x="step", y="value", hue="key", palette="viridis", ax=ax)
    ax.axhline(cfg["spectrum"]["threshold"], color="grey", linestyle=":", label="threshold")
    ax.set(yscale="log", xlabel="step", ylabel="ΔF at the peak", title="{id}: relative error per frequency")
    ax.legend(title="k")
    style.despine(fig)
    return fig
''',
    "config.yaml": """# {id}: its settings at every scale, one section per scale (`scale:` in the top-level config
# picks one); the keys are described in schema.yaml and README.md beside this file.

quick: &quick
  seeds: [0, 1, 2, 3, 4]
  grid: {{n: 101, low: -3.141592653589793, high: 3.141592653589793}}
  target: {{kind: sines, frequencies: [1, 3, 5], amplitudes: [1.0, 1.0, 1.0]}}
  model: {{hidden: [64, 64]}}
  optimizer: {{name: adam, lr: 1.0e-3}}
  steps: 3000
  log_every: 10
  spectrum: {{max_freq: 20, n_peaks: 3, delta_form: complex, threshold: 0.1, window: 10, stop_when_converged: true}}

paper: *quick  # the paper's settings once known (write them out here); until then the quick ones

smoke:  # the whole DAG in seconds: not evidence
  seeds: [0]
  grid: {{n: 32, low: -3.141592653589793, high: 3.141592653589793}}
  target: {{kind: sines, frequencies: [1, 3], amplitudes: [1.0, 1.0]}}
  model: {{hidden: [16]}}
  optimizer: {{name: adam, lr: 1.0e-2}}
  steps: 100
  log_every: 10
  spectrum: {{max_freq: 10, delta_form: complex, threshold: 0.1, window: 2}}
""",
    "schema.yaml": """# experiments.{id}: the keys of its config.yaml sections, described in README.md beside this file.
# fprinciple.config places this schema at experiments.properties.{id} of
# workflow/schemas/config.schema.yaml: "#/$defs/..." names a definition shared there.
description: "{id}: a 1-D fit (written by run.py new)"
type: object
$ref: "#/$defs/fit1d_base"
required: [model, optimizer]
unevaluatedProperties: false
properties:
  model:
    description: the net (run.py's network)
    type: object
    additionalProperties: false
    required: [hidden]
    properties:
      hidden: {{type: array, items: {{type: integer, minimum: 1}}, minItems: 1, description: widths of the hidden tanh layers}}
  optimizer: {{$ref: "#/$defs/optimizer"}}
  claims: {{$ref: "#/$defs/declarations"}}
""",
    "caption.rst": """A fully connected network fits a sum of sines (experiment {id}). The relative error ΔF at
each spectral peak k of the target over training, for the first seed; the dotted line is the
convergence threshold. Low frequencies fall below it first.
""",
    "README.md": """# `{id}`: a tiny 1-D fit

**Reproduces**: nothing yet. Written by `python3 run.py new {id}`: an MLP fits a sum of sines
on [−π, π], and the relative error ΔF at the target's spectral peaks is logged over training
(docs/adding_an_experiment.md says how to make it your own).

**Claim** `convergence_order`: the target's spectral peaks converge in increasing order of
frequency (ΔF stays below `spectrum.threshold` for `spectrum.window` logged steps from a step
that strictly increases with k), per seed. It must fail on the frozen, mean and opposite
(high frequencies first) controls.

**Config** `experiments.{id}` (config.yaml beside this file, one section per scale):

| key | meaning |
|---|---|
| seeds | one net per seed; the claim is judged over them |
| grid | the training points: `n` uniform points in [`low`, `high`] |
| target | `kind: sines` with `frequencies` and `amplitudes` |
| model | the net (`network` in run.py): `hidden`, the widths of its tanh layers |
| optimizer | `name` and `lr` (and `batch_size`, `momentum` where they apply) |
| steps, log_every | training length and how often ΔF is logged |
| spectrum | `max_freq`, `n_peaks`, `delta_form`, `threshold`, `window`, `stop_when_converged` |
""",
}


class NewExperimentError(ValueError):
    """An id ``run.py new`` refuses: the message says why and what to use instead."""


def check_id(experiment: str) -> None:
    if not ID.fullmatch(experiment) or keyword.iskeyword(experiment):
        raise NewExperimentError(
            f"{experiment!r} is not a usable id: lower-case letters, digits and _, starting with a letter "
            "(it names a Python package and a results folder), e.g. my_fit"
        )
    if experiment in experiments.ids() or (experiments.FOLDER / experiment).exists():
        raise NewExperimentError(
            f"experiment {experiment!r} exists already ({experiments.FOLDER / experiment}): choose another id"
        )


def write(experiment: str, folder: Path = experiments.FOLDER) -> Path:
    """Write ``folder/<experiment>/`` with every file an experiment needs; nothing on a bad id."""
    check_id(experiment)
    target = folder / experiment
    staging = folder / f".{experiment}.new"  # written whole, then renamed: never half a folder
    staging.mkdir()
    try:
        for name, text in FILES.items():
            (staging / name).write_text(text.format(id=experiment), encoding="utf-8")
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 run.py new", description=__doc__.split("\n\n")[0])
    parser.add_argument("id", help="the new experiment's id (lower case, digits and _), e.g. my_fit")
    experiment = parser.parse_args(argv).id
    try:
        target = write(experiment)
    except NewExperimentError as error:
        print(f"run.py new: {error}", file=sys.stderr)
        return 2
    print(
        f"Wrote {target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target}/: "
        f"{', '.join(FILES)}.\n"
        f"Run it:   python3 run.py figures {experiment} --configfile config/smoke.yaml   (seconds; then without --configfile)\n"
        f"Then make it yours: docs/adding_an_experiment.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
