"""The health strip's readings: unknown until known, late jobs counted from the jobs table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.store.database import Database
from bot.web.service_health import ServiceHealth

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class Sweep:
    last_sweep: datetime | None = None
    last_notification: datetime | None = None


@dataclass
class Counters:
    requests: int = 100
    retries: int = 4
    throttled: int = 2
    unavailable: int = 1
    failures: int = 3


async def test_everything_is_unknown_without_a_sweep_graph_or_jobs_table(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    try:
        reading = await ServiceHealth(database, clock=lambda: NOW).snapshot()
    finally:
        database.dispose()
    assert reading.mailbox_lag is None and reading.jobs_late is None
    assert reading.graph_error_rate is None


async def test_late_and_due_jobs_mailbox_lag_and_graph_errors_are_read(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE confbot_jobs (id TEXT, next_run_time FLOAT)"))
        for n, offset in enumerate((-600, -30, 600, 7200)):
            connection.execute(
                text("INSERT INTO confbot_jobs VALUES (:id, :at)"),
                {"id": str(n), "at": (NOW + timedelta(seconds=offset)).timestamp()},
            )
    sweep = Sweep(last_sweep=NOW - timedelta(minutes=2), last_notification=NOW)
    try:
        health = ServiceHealth(database, sweep=sweep, graph=Counters(), clock=lambda: NOW)
        reading = await health.snapshot()
    finally:
        database.dispose()
    assert reading.jobs_late == 1 and reading.jobs_due == 1
    assert reading.worst_job_lateness == timedelta(minutes=10)
    assert reading.mailbox_lag == timedelta(minutes=2)
    assert reading.graph_error_rate == 0.03 and reading.graph_throttled == 2
