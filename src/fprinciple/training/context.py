"""Where and how a run trains: chosen by the workflow, not by the science."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from tqdm import tqdm

PROGRESS_DELAY_S = 10  # a loop shows its bar once it has run this long: long jobs only


@dataclass(frozen=True)
class RunContext:
    """Everything a run needs besides its config: device, checkpoint, progress bar, data root.

    ``max_steps`` truncates every training loop of the run (the paper-scale rehearsal runs the
    papers' settings for a few steps only); ``None`` trains as configured. ``eval_samples``
    caps the samples of every evaluation forward pass (a rehearsal's: ``training.evaluation``).
    """

    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    checkpoint: Path | None = None
    checkpoint_every: int = 0  # steps; 0 = never
    fingerprint: str = ""  # identifies the settings a checkpoint belongs to
    progress: bool = False
    desc: str = ""
    data_root: Path | None = None  # where real datasets live (config data_root)
    download: bool = False  # may torchvision fetch missing datasets into data_root
    max_steps: int | None = None
    eval_samples: int | None = None

    def part(self, name: str) -> RunContext:
        """The context of one part of a job that trains several nets in turn (one init scale, one
        optimizer, ...): its own checkpoint file and fingerprint, so a killed job resumes the part
        it was in and skips the parts already finished."""
        checkpoint = self.checkpoint.with_name(f"{self.checkpoint.stem}-{name}.pt") if self.checkpoint else None
        return replace(
            self, checkpoint=checkpoint, fingerprint=f"{self.fingerprint}/{name}", desc=f"{self.desc} {name}".strip()
        )

    def progress_bar(self, **kwargs) -> tqdm:
        """A tqdm bar on the terminal the job was started from, with ``progress`` on: never in
        the job's log (its stderr is redirected there) and only where that terminal is
        interactive (tqdm's ``disable=None``), so not in CI or any captured output."""
        settings = dict(desc=self.desc, file=sys.__stderr__, mininterval=1.0, delay=PROGRESS_DELAY_S, leave=False)
        return tqdm(**{**settings, **kwargs}, disable=None if self.progress else True)

    def steps(self, planned: int) -> int:
        """The steps a loop planned for ``planned`` steps runs under this context."""
        return planned if self.max_steps is None else min(planned, self.max_steps)
