"""The learners whose metrics a run logs (the ``learner`` column): the trained network and the
negative controls every claim must fail on (``training.controls`` builds them). Torch-free, so
claims and figures can name them without importing the trainer."""

TRAINED = "trained"
FROZEN = "frozen"  # the initial network, never updated
MEAN = "mean"  # a constant: the training targets' mean, or the class prior for a classifier
CONTROLS = (FROZEN, MEAN)  # logged for every experiment
# Experiment-specific controls, where they sharpen a claim:
OPPOSITE = "opposite"  # a learner built to do the opposite (e.g. fit high frequencies first)
PERTURBED = "perturbed"  # an exact-theory claim on a deliberately wrong input
EVEN = "even"  # a classifier with no frequency preference (engines.classify.Interpolant)
