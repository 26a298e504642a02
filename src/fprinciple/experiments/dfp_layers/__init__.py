"""dfp_layers — XZ20 (its MNIST DNN, layer by layer): the deep frequency principle inside one network. A
fully connected net with equal-width hidden layers is trained on MNIST; the effective target of
the sub-network above hidden layer l is S[l] = (the output of hidden layer l, the labels). The
paper: at initialisation the deeper layers' effective targets sit at higher frequency, but during
training the deeper layers' move to lower frequency faster, and stay there.

"Frequency" is a number: the median (or mean, ``claims.summary``) k0 of the RDF of (S[l], one-hot
labels), on one k0 grid and with the RMS normalisation that makes layers of different scale
comparable (``engines.effective_target``, ``spectral.lfr``). Layers l = 1 … L (the hidden
layers; S[0], the input, never changes).
"""

from ...families.classify import dataset_caption

PAPER_FIGURE = "Xu & Zhou, AAAI 2021, one MNIST DNN: RDF of each hidden layer's effective target S[l] over training"


def datasets(cfg: dict) -> list[str]:
    return [cfg["data"]["dataset"]]


def dataset(cfg: dict) -> str:
    return dataset_caption(cfg["data"]["dataset"])


def hidden_layers(cfg: dict) -> list[int]:
    """The layer labels l of S[l]: the hidden layers 1 … L."""
    return list(range(1, len(cfg["net"]["hidden"]) + 1))
