"""dfp_resnet — XZ20 (its ResNet-18 experiment): ResNet-18 on CIFAR-10 with residual blocks removed
(−1 … −4), the fully connected head kept. The head's three linear layers are the learning
component; its effective target is S[−3] = (the pooled features entering the head, the labels).
The paper: the nets with more residual blocks train faster and generalise better, and their
effective target is lower-frequency and stays there.

At the quick scale the nets are too small and short-trained to order reliably across seeds: the
quick config lists these claims under ``claims.untested`` (see ``fprinciple.claims``), so their
rows are computed and shown but never pass.
"""

from ...families.classify import dataset_caption

PAPER_FIGURE = (
    "Xu & Zhou, AAAI 2021, ResNet-18 with residual blocks removed on CIFAR-10: accuracy per epoch and "
    "RDF of the head's effective target S[−3]"
)
EFFECTIVE_LAYER = -3  # S[−3]: the input of the last three (fully connected) layers


def datasets(cfg: dict) -> list[str]:
    return [cfg["data"]["dataset"]]


def dataset(cfg: dict) -> str:
    return dataset_caption(cfg["data"]["dataset"])
