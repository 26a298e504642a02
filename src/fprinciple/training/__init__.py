"""The trainer: optimizers, stopping rules, metric hooks, checkpoint/resume."""

from .trainer import TrainingDiverged, TrainResult, TrainSpec, choose_device, steps_per_epoch, train

__all__ = ["TrainingDiverged", "TrainResult", "TrainSpec", "choose_device", "steps_per_epoch", "train"]
