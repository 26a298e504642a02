"""fp1d_snapshots, the run side: every seed of the job fits sin x + sin 5x with the configured net and
optimizer (``engines.fit1d``), logging ΔF at both peaks and the output at the snapshot steps."""

from __future__ import annotations

from ...engines.fit1d import run_configured
from .. import seed_jobs

runs = seed_jobs
run = run_configured
