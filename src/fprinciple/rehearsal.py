"""The rehearsal of a config: its settings, run for the first N steps of every training loop.

``--config rehearsal=N`` (``python3 run.py rehearsal``) runs a config (config/paper.yaml) with
the same nets, data sizes, optimizers and logging, truncated to N steps per loop
(``RunContext.max_steps``) and one seed, through train → aggregate → figure → claims into
``results/rehearsal/``. It proves the config runs end to end and measures what each step and
each log cost (``fprinciple.cost``); its claim rows are labelled rehearsal and are not evidence.

Besides the steps, this module is all a rehearsal changes, in the experiment config each job gets:

- the first seed of every experiment only;
- every evaluation forward pass (accuracies, the outputs a spectrum or filter is measured on, the
  activations of an RDF) runs on the first ``EVAL_SAMPLES`` samples of its set, their outputs
  repeated to the set's size (``training.evaluation``): one log of the papers' settings can
  evaluate a ResNet-18 on 50,000 images. The measures downstream still run at full size, and the
  cost table adds back the forward time the skipped samples would have taken;
- each real dataset whose files are absent under ``data_root`` is replaced by its stand-in of the
  same tensor shapes and split sizes (``datasets.SAME_SHAPE_STANDINS``; n null = the whole split),
  so the nets, batches and evaluations cost what they would on the real data. A rehearsal never
  downloads (it runs offline, in CI). The figure captions and claim rows name the data used,
  because they are computed from this config.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

from .config import SPLIT_SIZES
from .datasets import NAMES, SAME_SHAPE_STANDINS, present

# A rehearsal of this many steps when `python3 run.py rehearsal` is not told otherwise: step 0,
# a few updates and the last logged step, i.e. every path of the loop.
DEFAULT_STEPS = 3
# Samples per evaluation forward pass in a rehearsal: a quarter of a classifier's evaluation batch.
EVAL_SAMPLES = 256


def data_blocks(node) -> Iterator[dict]:
    """Every dataset block ``{dataset, n_train, n_test, ...}`` in an experiment config, wherever it
    sits (``data``, ``families.<name>.data``, ``datasets[i].data``, ...)."""
    if isinstance(node, dict):
        if node.get("dataset") in NAMES:
            yield node
        for value in node.values():
            yield from data_blocks(value)
    elif isinstance(node, list):
        for value in node:
            yield from data_blocks(value)


def substitute_datasets(cfg: dict, data_root: str | Path | None) -> dict:
    """``cfg`` with each real dataset that is absent under ``data_root`` replaced by its
    same-shape stand-in, at the sizes the config asks for (null: the real split's size)."""
    cfg = copy.deepcopy(cfg)
    for block in data_blocks(cfg):
        name = block["dataset"]
        if name in SAME_SHAPE_STANDINS and not present(name, data_root):
            train, test = SPLIT_SIZES[name]
            block.update(
                dataset=SAME_SHAPE_STANDINS[name],
                n_train=block.get("n_train") or train,
                n_test=block.get("n_test") or test,
            )
    return cfg


def experiment_config(cfg: dict, data_root: str | Path | None) -> dict:
    """The experiment config a rehearsal job runs: the first seed, the data resolved."""
    cfg = substitute_datasets(cfg, data_root)
    if "seeds" in cfg:
        cfg["seeds"] = cfg["seeds"][:1]
    return cfg
