"""dfp_rdf_demo — XZ20: the ratio density function (RDF) of sin(kπx) against the filter frequency
k0 = 1/δ, each curve normalised by its maximum: the lower the frequency k, the closer the RDF's peak
sits to zero, which is what makes the RDF a frequency measure for the effective targets of
dfp_resnet and dfp_layers. No training: exact analysis of known functions (``spectral.lfr``).
"""

PAPER_FIGURE = "Xu & Zhou, AAAI 2021, the RDF illustration: RDF of sin(kπx) vs 1/δ, each normalised by its maximum"


def dataset(cfg: dict) -> str:
    return f"none: sin(kπx) at {cfg['points']} evenly spaced points of [−1, 1) (a circle), exact LFR/RDF"
