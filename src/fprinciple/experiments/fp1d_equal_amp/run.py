"""fp1d_equal_amp, the run side: every seed of the job fits sin x + sin 3x + sin 5x with the configured
net and optimizer (``engines.fit1d``), logging ΔF at the three peaks."""

from __future__ import annotations

from ...engines.fit1d import run_configured
from .. import seed_jobs

runs = seed_jobs
run = run_configured
