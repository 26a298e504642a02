"""The frequency content of effective targets during training (XZ20): the engine of dfp_layers and
dfp_resnet.

A network splits into a pre-condition component and a learning component; the learning
component's effective target is (the input it receives, the labels). At chosen epochs a hook
reads the inputs of named modules (``models.activations.module_inputs``) on a fixed subset of the
training samples and logs, per layer label l, the LFR and RDF of (S[l], one-hot labels) on the
config's k0 grid (``spectral.lfr``) and their summaries (names: ``families.effective_target``):

- ``lfr_S<l>``, ``rdf_S<l>`` (key k0);
- ``median_k0``, ``mean_k0``, ``peak_k0`` (key l).

Controls (``training.controls``) go through the same hook. The frozen network's layers are
read in its wrapped initial net; a learner without parameters (the mean predictor, a
constant) has an empty pre-condition component: its learning component sees the input itself,
so every S[l] is the raw input. Neither changes during training, so each is measured once and
repeated at every measured epoch. Equal effective inputs are measured once: the raw input is
S[1] of every MLP learner at every epoch and every S[l] of the mean predictor, and one RDF of
the papers' 5000 samples takes seconds.

Config block ``rdf``: ``k0 {min, max, n}`` (geometric grid), ``delta_convention``,
``normalisation``, ``n_samples`` (the first n training samples of the run's subset),
``measure_epochs`` (when to measure; the last epoch is always measured).
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from ..families.effective_target import curve_metric, k0_grid
from ..models.activations import module_inputs
from ..spectral.lfr import frequency_profile
from ..training import evaluation
from ..training.controls import Constant, Frozen
from ..training.trainer import Hook


def measured_network(net: nn.Module) -> nn.Module:
    """The network whose modules hold the layers: a frozen control's wrapped initial net, else
    the learner itself."""
    return net.model if isinstance(net, Frozen) else net


def layer_inputs(net: nn.Module, x: torch.Tensor, layers: Mapping[int, str]) -> dict[int, torch.Tensor]:
    """{label: input of module layers[label]} for ``net`` on ``x``; for a learner without
    parameters (a constant: an empty pre-condition component) the raw input for every label. A
    network that lacks a named module is an error, not an empty pre-condition."""
    net = measured_network(net)
    if next(net.parameters(), None) is None:
        return {label: x.reshape(len(x), -1) for label in layers}
    captured = evaluation.forward(lambda rows: module_inputs(net, rows, list(layers.values())), x)
    return {label: captured[name] for label, name in layers.items()}


def rdf_hook(
    x: torch.Tensor, labels: torch.Tensor, n_classes: int, layers: Mapping[int, str], rdf: dict, steps: set[int]
) -> Hook:
    """Log the effective targets' LFR/RDF and summaries at the given ``steps`` (and the last)."""
    x = x[: rdf["n_samples"]]
    one_hot = nn.functional.one_hot(labels[: rdf["n_samples"]], n_classes)
    k0 = k0_grid(rdf["k0"])
    options = {"delta_convention": rdf["delta_convention"], "normalisation": rdf["normalisation"]}
    # id of a frozen or constant learner -> (a weak reference to it, its records): a job that trains
    # its seeds in turn frees one seed's controls before the next seed's are made, and a new one at
    # a freed one's address must be measured, not given the other seed's records.
    unchanging: dict[int, tuple[weakref.ref, list]] = {}
    # digest of effective inputs -> their profile (a few floats per k0: kept for the whole run)
    profiles: dict[tuple, object] = {}

    def profile_of(inputs: torch.Tensor):
        values = inputs.detach().cpu().contiguous()
        key = (
            tuple(values.shape),
            str(values.dtype),
            hashlib.blake2b(values.numpy().tobytes(), digest_size=16).digest(),
        )
        if key not in profiles:
            profiles[key] = frequency_profile(inputs, one_hot, k0, **options)
        return profiles[key]

    def measure(net: nn.Module) -> list:
        records = []
        for label, inputs in layer_inputs(net, x, layers).items():
            profile = profile_of(inputs)
            records += [
                (curve_metric("lfr", label), k0, profile.lfr),
                (curve_metric("rdf", label), k0, profile.rdf),
                ("median_k0", label, profile.median_frequency),
                ("mean_k0", label, profile.mean_frequency),
                ("peak_k0", label, k0[np.argmax(profile.rdf)]),
            ]
        return records

    def hook(step: int, net: nn.Module, last: bool):
        if step not in steps and not last:
            return []
        if isinstance(net, (Frozen, Constant)):
            ref, records = unchanging.get(id(net), (None, None))
            if ref is None or ref() is not net:
                records = measure(net)
                unchanging[id(net)] = (weakref.ref(net), records)
            return records
        return measure(net)

    return hook
