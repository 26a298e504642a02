"""Where a training loop's time goes: its steps versus its logging, in wall and CPU seconds.

The cost table (``fprinciple.cost``) estimates a paper-scale run from a truncated rehearsal of
the same settings, and a few rehearsal steps cannot be scaled up as a whole: a rehearsal of 3
steps logs at 2 of them, the paper run at 1 in 100. So every loop times its logging apart from
its steps and reports, per part, what it did and what its untruncated settings plan
(``LoopTiming``). CPU seconds (``time.process_time``: every thread of the process, i.e. core
seconds) are what the estimate uses on a shared machine, where wall time says more about the
neighbours than about the run. A rehearsal that evaluates on a subset (``training.evaluation``)
reports what the skipped samples would have cost (``skipped``); each log's share is kept apart.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class LoopTiming:
    """One training loop (one part of a job): what it ran and what it took."""

    steps: int  # steps this process trained (a resumed checkpoint's steps not counted)
    planned_steps: int  # steps the untruncated settings plan
    logs: int  # logging points this process measured
    planned_logs: int  # logging points of the untruncated run
    wall_s: float  # the whole loop, logging included
    cpu_s: float
    log_wall_s: float  # logging alone
    log_cpu_s: float
    # The first log alone: it also measures the controls whose output is then cached (the frozen
    # net), so it costs more than each later one.
    first_log_wall_s: float = 0.0
    first_log_cpu_s: float = 0.0
    # What the evaluation samples a rehearsal skipped would have added to the logs (and to the
    # first log): measured log + skipped = a full log.
    skipped_log_wall_s: float = 0.0
    skipped_log_cpu_s: float = 0.0
    skipped_first_log_wall_s: float = 0.0
    skipped_first_log_cpu_s: float = 0.0
    # A stopping rule (loss threshold, learned members) may end the run before planned_steps:
    # an estimate from the plan is then an upper bound.
    may_stop_early: bool = False
    # Its logs happen however many steps run (a sweep's batch set-ups, not every n steps): an
    # expected cost at a share of the planned steps still counts every planned log.
    fixed_logs: bool = False


# Seconds (cpu, wall) that evaluations on a subset skipped in this process so far.
_skipped = [0.0, 0.0]


def skipped(cpu: float, wall: float) -> None:
    """Count seconds an evaluation on a subset skipped (``training.evaluation.forward``)."""
    _skipped[0] += cpu
    _skipped[1] += wall


class Stopwatch:
    """Started at construction; ``with watch.logging():`` around each logging point."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.logs = 0
        # measured and skipped (cpu, wall) seconds of all logs and of the first
        self.log, self.first, self.log_skipped, self.first_skipped = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]

    @contextmanager
    def logging(self) -> Iterator[None]:
        cpu, wall, skipped_before = time.process_time(), time.perf_counter(), list(_skipped)
        try:
            yield
        finally:
            spent = [time.process_time() - cpu, time.perf_counter() - wall]
            missed = [_skipped[0] - skipped_before[0], _skipped[1] - skipped_before[1]]
            if not self.logs:
                self.first, self.first_skipped = spent, missed
            self.logs += 1
            self.log = [a + b for a, b in zip(self.log, spent)]
            self.log_skipped = [a + b for a, b in zip(self.log_skipped, missed)]

    def elapsed(self) -> float:
        return time.perf_counter() - self.wall

    def timing(
        self, steps: int, planned_steps: int, planned_logs: int, may_stop_early: bool = False, fixed_logs: bool = False
    ) -> LoopTiming:
        return LoopTiming(
            steps=steps,
            planned_steps=planned_steps,
            logs=self.logs,
            planned_logs=planned_logs,
            wall_s=self.elapsed(),
            cpu_s=time.process_time() - self.cpu,
            log_cpu_s=self.log[0],
            log_wall_s=self.log[1],
            first_log_cpu_s=self.first[0],
            first_log_wall_s=self.first[1],
            skipped_log_cpu_s=self.log_skipped[0],
            skipped_log_wall_s=self.log_skipped[1],
            skipped_first_log_cpu_s=self.first_skipped[0],
            skipped_first_log_wall_s=self.first_skipped[1],
            may_stop_early=may_stop_early,
            fixed_logs=fixed_logs,
        )


def logging_points(steps: int, log_every: int, extra: tuple[int, ...] = ()) -> int:
    """The steps a loop of ``steps`` steps logs at: 0, every ``log_every``, the ``extra`` steps
    within the run, and the last."""
    regular = steps // log_every + 1  # 0, log_every, ..., the last multiple
    last = 0 if steps % log_every == 0 else 1
    others = {s for s in extra if 0 <= s <= steps and s % log_every and s != steps}
    return regular + last + len(others)
