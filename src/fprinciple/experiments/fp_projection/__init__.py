"""fp_projection — XZLXM19 fig. 3 (lecture notes fig. 1.10, §1.5.4, eq. 1.6): the F-Principle on real data seen
along one direction, the first principal component p of the training inputs.

Families, each a classifier trained with cross-entropy (``classify.fit``): an MNIST-like set with
a fully connected tanh net and a CIFAR-like set with the small CNN. As in the authors' notebook
(understanding_dl, A4_16), the spectrum is that of ONE output coordinate: for each configured
class c, the non-uniform DFT along v = p·x of the one-hot column y_c (the target) and of the
softmax output h_c on the training inputs, on a grid of frequencies from 0 (cycles per unit of
v); its peaks are the first ``n_peaks`` local maxima of |ŷ_c| on the grid, end points included
(``grid_maxima``: the authors' rule), and ΔF(k) = |ĥ_c(k) − ŷ_c(k)| / |ŷ_c(k)| at each.

Each peak's significance is |ŷ_c(k)| in units of σ_c = sqrt(p_c (1 − p_c) / n), p_c the class
share: the rms |ŷ_c(k)| of labels unrelated to v. A peak within a few σ of it is a feature of
this sample, not of the data; the suite tests only peaks at least ``spectrum.min_sigma`` σ high
(its own floor; the authors test all). With ``centre_labels`` (the suite's; the authors do not
centre) the class share p_c is subtracted from target and output alike: a constant has the
spectrum p_c·φ(k), φ the characteristic function of v, which spreads the k = 0 term over
|k| ≲ 1/std(v) and hides the labels' own low peak where v spreads little (MNIST, digits); ĥ − ŷ,
the numerator of ΔF, is unchanged. Logged per class (column ``class``): the target's |ŷ_c| on
the grid, σ_c, the peaks and their significance (step 0); ΔF at the peaks at every logged epoch;
the output's |ĥ_c| on the grid after the last epoch. One job per seed trains every family in
turn (a checkpointed part each); the ``even`` control (``classify.Interpolant``) fits every
frequency at the same rate.
"""

from ...families.classify import dataset_caption

PAPER_FIGURE = "Xu et al., CiCP 2020, fig. 3: projection on the first principal component (lecture notes fig. 1.10)"


def datasets(cfg: dict) -> list[str]:
    return sorted({family["data"]["dataset"] for family in cfg["families"].values()})


def dataset(cfg: dict) -> str:
    return "; ".join(dataset_caption(family["data"]["dataset"]) for family in cfg["families"].values())
