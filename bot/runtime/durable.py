"""APScheduler 3 behind the scheduler port: jobs live in the service's own database."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine

from bot.runtime.scheduler import Job, JobRunner, conference_prefix

logger = logging.getLogger(__name__)

JOBS_TABLE = "confbot_jobs"
_runner: JobRunner | None = None
_on_missed: Any = None
T = TypeVar("T")


def _detached(call: Callable[[], T]) -> T:
    """Call into APScheduler in an empty context, so no job inherits its scheduler's caller's.

    Asyncio copies the current context into every callback and task. AsyncIOScheduler wakes
    itself with ``call_soon_threadsafe`` and ``call_later`` and runs each job as a task, so a
    job would otherwise run in the context of whoever last woke the scheduler: a booking,
    say, still inside its outbox batch (``Outbox.collecting``), whose batch would then
    swallow the job's mail. Each wake-up made here starts that chain afresh, empty.
    """
    return contextvars.Context().run(call)


async def fire(conference_id: int, step_id: str, action: str, run_at: str) -> None:
    """The job body APScheduler stores by name: it only calls the runtime's use-case."""
    if _runner is None:
        raise RuntimeError("the runtime is not started")
    await _runner(Job(datetime.fromisoformat(run_at), conference_id, step_id, action))


def parse_job_id(job_id: str) -> tuple[int, str, str] | None:
    """(conference id, step id, action) from a job id, or None if it is not one of ours."""
    head, _, rest = job_id.partition(":")
    step_id, _, action = rest.rpartition(":")
    if not head.startswith("c") or not head[1:].isdigit() or not step_id:
        return None
    return int(head[1:]), step_id, action


class DurableScheduler:
    """APScheduler's AsyncIOScheduler with a SQLAlchemy job store on our database."""

    def __init__(self, engine: Engine, misfire_grace: timedelta) -> None:
        self._scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
            job_defaults={
                "misfire_grace_time": int(misfire_grace.total_seconds()),
                "coalesce": True,
                "max_instances": 1,
            },
            timezone=UTC,
        )

    def start(self, runner: JobRunner, on_missed: Any = None, *, paused: bool = False) -> None:
        """Begin running jobs, including those that fell due while confbot was down.

        A paused scheduler still stores the jobs it is given, but runs none: that is how a
        replica that is not the leader schedules work for the leader to do.
        """
        global _runner, _on_missed  # noqa: PLW0603 - APScheduler stores jobs by module path
        _runner = runner
        _on_missed = on_missed
        self._scheduler.add_listener(self._missed, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        _detached(lambda: self._scheduler.start(paused=paused))

    def resume(self) -> None:
        """Start running due jobs (this replica became the leader)."""
        _detached(self._scheduler.resume)

    def pause(self) -> None:
        """Stop running jobs, keeping them stored (this replica lost the lead)."""
        if self._scheduler.running:
            self._scheduler.pause()

    def wakeup(self) -> None:
        """Look at the store again now, for jobs other replicas added."""
        if self._scheduler.running:
            _detached(self._scheduler.wakeup)

    def shutdown(self) -> None:
        """Stop without waiting for running jobs; pending ones stay in the store."""
        global _runner  # noqa: PLW0603
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        _runner = None

    def add(self, job: Job) -> None:
        """Store the job; one with the same id is replaced."""
        _detached(
            lambda: self._scheduler.add_job(
                "bot.runtime.durable:fire",
                trigger="date",
                run_date=job.run_at,
                id=job.id,
                args=[job.conference_id, job.step_id, job.action, job.run_at.isoformat()],
                replace_existing=True,
            )
        )

    def remove_conference(self, conference_id: int) -> int:
        """Drop every pending job of a conference."""
        prefix = conference_prefix(conference_id)
        gone = [job for job in self._scheduler.get_jobs() if job.id.startswith(prefix)]
        for job in gone:
            job.remove()
        return len(gone)

    def pending(self, conference_id: int | None = None) -> list[Job]:
        """Jobs not yet run, soonest first."""
        jobs = []
        for job in self._scheduler.get_jobs():
            parsed = parse_job_id(job.id)
            if parsed is None or job.next_run_time is None:
                continue
            if conference_id is not None and parsed[0] != conference_id:
                continue
            jobs.append(Job(job.next_run_time.astimezone(UTC), *parsed))
        return sorted(jobs)

    def _missed(self, event: JobExecutionEvent) -> None:
        parsed = parse_job_id(event.job_id)
        if parsed is None:
            return
        if event.code == EVENT_JOB_ERROR:
            logger.error(
                "job failed",
                exc_info=event.exception,
                extra={"conference_id": parsed[0], "step_id": parsed[1]},
            )
            return
        logger.warning(
            "job missed its grace period", extra={"conference_id": parsed[0], "step_id": parsed[1]}
        )
        if _on_missed is not None:
            _on_missed(Job(event.scheduled_run_time.astimezone(UTC), *parsed))
