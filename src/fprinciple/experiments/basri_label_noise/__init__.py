"""basri_label_noise — BJKK19 fig. 1, left (MNIST with 50% label noise): a fully connected ReLU net
first learns the clean structure of the digits (low frequency) and only later memorises the
random labels (high frequency), so the clean test accuracy peaks early and then falls, and early
stopping on a validation set whose labels are just as noisy still finds that peak.

Setting (authors' MNIST/optimize.py, cfg.py): ``n_val`` of the training images are held out for
validation; in both training and validation a random ``noise`` share of the samples gets a label
drawn uniformly from all classes (the authors permute the one-hot vector, so the random label
equals the true one with probability 1/10: 45% of the labels end up wrong); the test set stays
clean. 784 → 3×256 ReLU → 10, cross-entropy, plain SGD lr 0.005, batch 100, accuracy every
epoch. With ``authors_init`` the net is initialised as in their code: every weight from
N(0, 0.01²), hidden biases from U(−1, 1), no output bias; otherwise PyTorch's default (the quick
scale: it learns the clean structure in far fewer epochs at the quick learning rate).

"Early" is measured against the net's own memorisation: the clean test accuracy peaks within the
first ``early_fraction`` of the epochs it takes the net to reach ``train_accuracy_min`` on the
noisy training labels (the last epoch if it never does).
"""

from ...families.classify import dataset_caption

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, fig. 1, left (MNIST, 50% random labels: train, validation and test accuracy per epoch)"
)


def datasets(cfg: dict) -> list[str]:
    return [cfg["data"]["dataset"]]


def dataset(cfg: dict) -> str:
    return (
        f"{dataset_caption(cfg['data']['dataset'])}, {cfg['noise']:.0%} of the training and validation labels "
        "random, test clean"
    )
