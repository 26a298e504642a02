"""The trainer: optimizers, stopping rules, metric hooks, negative controls, checkpoint/resume."""

from ..learners import CONTROLS, TRAINED
from . import evaluation
from .context import RunContext
from .trainer import TrainingDiverged, TrainResult, TrainSpec, choose_device, combine, steps_per_epoch, train

__all__ = [
    "CONTROLS",
    "RunContext",
    "TRAINED",
    "TrainingDiverged",
    "TrainResult",
    "TrainSpec",
    "choose_device",
    "combine",
    "evaluation",
    "steps_per_epoch",
    "train",
]
