"""fp1d_step, the run side: every seed of the job fits the step with the configured net and optimizer
(``engines.fit1d``), logging ΔF at the step's peaks and snapshots of the output."""

from __future__ import annotations

from ...engines.fit1d import run_configured
from .. import seed_jobs

runs = seed_jobs
run = run_configured
