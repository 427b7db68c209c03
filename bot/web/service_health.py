"""A health source built from what the service already keeps: the sweep's clock, Graph's
counters and the scheduler's job table. Anything it cannot read stays "unknown"."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import column, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError

from bot.store.database import Database
from bot.web.snapshot import GraphCounters, HealthSnapshot

logger = logging.getLogger(__name__)

DUE_WINDOW = timedelta(hours=1)
LATE_AFTER = timedelta(minutes=1)  # a job this far past its run time counts as late


class MailboxClock(Protocol):
    """When the request mailboxes were last read, and last notified (``Mailboxes`` has these)."""

    @property
    def last_sweep(self) -> datetime | None:
        """The stalest mailbox's last sweep."""

    @property
    def last_notification(self) -> datetime | None:
        """The latest notification."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ServiceHealth:
    """Reads the mailbox sweep, Graph's counters and the scheduler's jobs table."""

    def __init__(
        self,
        database: Database,
        *,
        sweep: MailboxClock | None = None,
        graph: GraphCounters | None = None,
        jobs_table: str = "confbot_jobs",
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.database = database
        self.sweep = sweep
        self.graph = graph
        self.jobs_table = jobs_table
        self.clock = clock

    async def snapshot(self) -> HealthSnapshot:
        """A fresh reading."""
        now = self.clock()
        jobs = await asyncio.to_thread(self._job_times)
        due = late = None
        worst = None
        if jobs is not None:
            due = sum(1 for at in jobs if now <= at < now + DUE_WINDOW)
            overdue = [at for at in jobs if at < now - LATE_AFTER]
            late = len(overdue)
            worst = now - min(overdue) if overdue else timedelta(0)
        sweep = self.sweep
        last_sweep = sweep.last_sweep if sweep else None
        graph = self.graph
        return HealthSnapshot(
            mailbox_lag=None if last_sweep is None else max(timedelta(0), now - last_sweep),
            last_mailbox_sweep=last_sweep,
            last_notification=sweep.last_notification if sweep else None,
            graph_requests=graph.requests if graph else None,
            graph_errors=graph.failures if graph else None,
            graph_throttled=graph.throttled if graph else None,
            jobs_due=due,
            jobs_late=late,
            worst_job_lateness=worst,
        )

    def _job_times(self) -> list[datetime] | None:
        """Every pending job's next run time, or None when there is no jobs table to read."""
        try:
            if not inspect(self.database.engine).has_table(self.jobs_table):
                return None
            jobs = table(self.jobs_table, column("next_run_time"))
            with self.database.session() as session:
                stamps = session.scalars(select(jobs.c.next_run_time)).all()
        except SQLAlchemyError as err:
            logger.warning("cannot read the scheduler's jobs", extra={"error": type(err).__name__})
            return None
        # APScheduler 3 stores the next run time as a UTC POSIX timestamp; None when paused.
        return [datetime.fromtimestamp(float(s), UTC) for s in stamps if s is not None]
