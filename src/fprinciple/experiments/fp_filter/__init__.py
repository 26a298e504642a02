"""fp_filter — XZLXM19 fig. 4 (lecture notes fig. 1.12, §1.5.5, eqs. 1.10-1.13): the filtering method on real
images. A DNN, the small CNN and VGG-16 are trained with cross-entropy on MNIST and CIFAR-10
(quick scale: their offline stand-ins), and every logged epoch the softmax output h on the
training inputs is split, like the one-hot labels y, into a low- and a high-frequency part by a
Gaussian filter of width δ over those inputs. The F-Principle predicts that the low part is fitted
first: e_low falls before e_high, for every net, dataset and δ.

The errors are compared relative to their values at epoch 0. Raw, e_low starts below e_high by
construction (a near-uniform softmax has h_high ≈ 0, so e_high = 1, while its low part already
matches the labels' mean, so e_low < 1, and at large δ far below 1): a learner that fits every
frequency at the same rate would then cross any threshold with e_low first. The ``even`` control
(``classify.Interpolant``) is that learner; on relative errors it ties, as it must.

One job per dataset trains every net in turn (one checkpointed part each), each for every seed.
Logged per net (on top of the engine's accuracy and loss): ``e_low`` and ``e_high`` with key δ,
and the dataset's caption in a ``dataset_name`` column. The filter over the fixed training inputs is built
once per job, and the errors of an output already measured (the frozen and mean controls repeat
theirs at every epoch) are remembered.
"""

from ...families.classify import dataset_caption

PAPER_FIGURE = (
    "Xu et al., CiCP 2020, fig. 4: filtering method, DNN/CNN/VGG16 on MNIST and CIFAR-10 (lecture notes fig. 1.12)"
)


def datasets(cfg: dict) -> list[str]:
    return [entry["data"]["dataset"] for entry in cfg["datasets"]]


def dataset(cfg: dict) -> str:
    return "; ".join(map(dataset_caption, datasets(cfg)))
