"""The trainer: optimizers, stopping rules, metric hooks, checkpoint/resume."""

from .trainer import TrainingDiverged, TrainResult, TrainSpec, choose_device, train

__all__ = ["TrainingDiverged", "TrainResult", "TrainSpec", "choose_device", "train"]
