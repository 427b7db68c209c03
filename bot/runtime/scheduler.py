"""The scheduler port: durable, idempotent jobs keyed by conference, step and action."""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True, order=True)
class Job:
    """One scheduled action on one step of one conference's timeline."""

    run_at: datetime  # UTC
    conference_id: int
    step_id: str
    action: str  # remind | check | pack | prompt ...

    @property
    def id(self) -> str:
        """Stable id: scheduling the same step twice replaces, never duplicates."""
        return job_id(self.conference_id, self.step_id, self.action)


def job_id(conference_id: int, step_id: str, action: str) -> str:
    """The id a job for this conference, step and action always has."""
    return f"c{conference_id}:{step_id}:{action}"


def conference_prefix(conference_id: int) -> str:
    """The prefix every job id of one conference starts with."""
    return f"c{conference_id}:"


# What runs a job: the runtime's use-case, given the job and the time it was due.
JobRunner = Callable[[Job], Awaitable[None]]


class JobScheduler(Protocol):
    """Holds jobs until they are due, then hands them to the runner, once."""

    def add(self, job: Job) -> None:
        """Schedule ``job``; one with the same id is replaced."""

    def remove_conference(self, conference_id: int) -> int:
        """Drop every pending job of a conference; returns how many."""

    def pending(self, conference_id: int | None = None) -> list[Job]:
        """Jobs not yet run, soonest first."""


@dataclass
class VirtualScheduler:
    """An in-memory scheduler on a virtual clock, for unit tests and `confbot simulate`."""

    runner: JobRunner | None = None
    _heap: list[tuple[datetime, str]] = field(default_factory=list)
    _jobs: dict[str, Job] = field(default_factory=dict)

    def add(self, job: Job) -> None:
        """Schedule or replace a job."""
        self._jobs[job.id] = job
        heapq.heappush(self._heap, (job.run_at, job.id))

    def remove_conference(self, conference_id: int) -> int:
        """Drop a conference's jobs."""
        prefix = conference_prefix(conference_id)
        gone = [key for key in self._jobs if key.startswith(prefix)]
        for key in gone:
            del self._jobs[key]
        return len(gone)

    def pending(self, conference_id: int | None = None) -> list[Job]:
        """Jobs not yet run, soonest first."""
        jobs = sorted(self._jobs.values())
        if conference_id is None:
            return jobs
        return [j for j in jobs if j.conference_id == conference_id]

    async def advance(self, now: datetime) -> list[Job]:
        """Run every job due by ``now``, in time order; returns those run."""
        ran: list[Job] = []
        while self._heap and self._heap[0][0] <= now:
            run_at, key = heapq.heappop(self._heap)
            job = self._jobs.get(key)
            if job is None or job.run_at != run_at:
                continue  # removed, or replaced by a later schedule
            del self._jobs[key]
            if self.runner is not None:
                await self.runner(job)
            ran.append(job)
        return ran
