"""The RDF family of XZ20 (dfp_rdf_demo, dfp_layers, dfp_resnet): the k0 grid and the metric names that
the run side (``engines.effective_target``, dfp_rdf_demo's run) writes and the claims and figures read.
Torch-free, importing neither side."""

from __future__ import annotations

import numpy as np

SUMMARIES = ("median_k0", "mean_k0", "peak_k0")  # one number per RDF: its median, mean and argmax k0


def k0_grid(spec: dict) -> np.ndarray:
    """``{min, max, n}``: a geometric grid of filter frequencies k0 = 1/δ (the RDF spans a decade or more)."""
    return np.geomspace(spec["min"], spec["max"], spec["n"])


def curve_metric(kind: str, layer: int) -> str:
    """``lfr_S3``: the metric name of layer 3's LFR curve (``kind`` lfr or rdf)."""
    return f"{kind}_S{layer}"
