"""The runtime under faults, restarts and misfires: nothing lost, nothing done twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.conference import ConferenceState
from bot.runtime.durable import DurableScheduler
from bot.runtime.scheduler import Job
from bot.store.database import Database
from tests.integration.runtime_harness import (
    CHAIR,
    PARENT_EMAIL,
    PARENT_PHONE,
    Running,
    preset_body,
    request_body,
    running,
    settings_for,
    working_days_ahead,
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    async with running(settings_for(tmp_path, self_booking=True)) as app:
        yield app


async def test_a_preset_request_books_itself_where_the_playbook_allows_it(bot: Running) -> None:
    await bot.mail(preset_body(working_days_ahead(6)))
    await bot.services.sweep.sweep()  # type: ignore[union-attr]
    [conference] = bot.services.repository.list_conferences()
    assert conference.state is ConferenceState.SCHEDULED
    assert conference.chair == CHAIR
    assert len(await bot.calendar(CHAIR)) == 1


async def test_every_conference_is_set_up_once_despite_20_percent_graph_faults(
    bot: Running,
) -> None:
    requests = 8
    for case in range(requests):
        await bot.mail(preset_body(working_days_ahead(6 + case % 3), case=case))
    async with bot.http.post(
        f"{bot.sandbox}/_sandbox/faults",
        json={
            "rate": 0.2,
            "statuses": [429, 503, 500],
            "retry_after": 0,
            "seed": 7,
            "phase": "either",
            "path": "^/v1.0/users",
        },
    ) as response:
        assert response.status == 200, await response.text()
    sweep = bot.services.sweep
    assert sweep is not None
    for _ in range(60):  # each failed sweep is retried; the delta link only moves on success
        try:
            await sweep.sweep()
        except Exception:  # the next sweep picks up where this one failed
            continue
        states = {c.state for c in bot.services.repository.list_conferences(limit=100)}
        if len(bot.services.repository.list_conferences(limit=100)) == requests and states == {
            ConferenceState.SCHEDULED
        }:
            break
    async with bot.http.delete(f"{bot.sandbox}/_sandbox/faults"):
        pass
    conferences = bot.services.repository.list_conferences(limit=100)
    assert len(conferences) == requests
    assert {c.state for c in conferences} == {ConferenceState.SCHEDULED}
    events = await bot.calendar(CHAIR)
    assert len(events) == requests
    assert len({e["transactionId"] for e in events}) == requests


async def test_reschedule_moves_the_meeting_and_every_job(bot: Running) -> None:
    await bot.mail(preset_body(working_days_ahead(6)))
    await bot.services.sweep.sweep()  # type: ignore[union-attr]
    [conference] = bot.services.repository.list_conferences()
    scheduler = bot.services.scheduler
    assert scheduler is not None
    before = {(j.step_id, j.action): j.run_at for j in scheduler.pending(conference.id)}
    new_start = working_days_ahead(8)
    status, body = await bot.api(
        "POST", f"/api/conferences/{conference.id}/reschedule", {"start": new_start.isoformat()}
    )
    assert status == 200, body
    after = {(j.step_id, j.action): j.run_at for j in scheduler.pending(conference.id)}
    prompt = ("icpc.run_sheet.consent", "runsheet_start")
    assert after[prompt] == new_start and before[prompt] != new_start
    events = await bot.calendar(CHAIR)
    assert [e["isCancelled"] for e in sorted(events, key=lambda e: e["start"]["dateTime"])] == [
        True,
        False,
    ]


async def test_full_intake_at_debug_level_logs_no_personal_data(
    bot: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await bot.mail(preset_body(working_days_ahead(6)))
    await bot.services.sweep.sweep()  # type: ignore[union-attr]
    await bot.mail(request_body().replace("Conference type: ICPC", "Conference type: ???"))
    await bot.services.sweep.sweep()  # type: ignore[union-attr]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records, "expected some logging at DEBUG"
    for secret in (
        "Jo Parent",
        PARENT_EMAIL,
        "+447700900456",
        PARENT_PHONE,
        "Femi Okafor",
        "Priya Ashdown",
        "T.Q.",
        "NS-100001",
    ):
        assert secret not in logged, f"{secret!r} appeared in the logs"


async def test_a_job_past_its_grace_period_becomes_an_alert(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    database.upgrade()
    ran: list[Job] = []
    missed = asyncio.Event()
    missed_jobs: list[Job] = []

    async def runner(job: Job) -> None:
        ran.append(job)

    def on_missed(job: Job) -> None:
        missed_jobs.append(job)
        missed.set()

    first = DurableScheduler(database.engine, timedelta(seconds=1))
    first.start(runner, paused=True)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    first.add(Job(long_ago, 1, "icpc.report_sharing.x", "remind"))
    first.shutdown()
    # A restart: a new scheduler on the same database finds the job that fell due.
    second = DurableScheduler(database.engine, timedelta(seconds=1))
    second.start(runner, on_missed=on_missed)
    try:
        await asyncio.wait_for(missed.wait(), 10)
    finally:
        second.shutdown()
        database.dispose()
    assert ran == []
    assert missed_jobs[0].step_id == "icpc.report_sharing.x"


async def test_a_late_job_within_grace_still_runs_after_a_restart(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    database.upgrade()
    done = asyncio.Event()
    ran: list[Job] = []

    async def runner(job: Job) -> None:
        ran.append(job)
        done.set()

    before_restart = DurableScheduler(database.engine, timedelta(hours=1))
    before_restart.start(runner, paused=True)
    before_restart.add(
        Job(datetime.now(UTC) - timedelta(minutes=5), 3, "icpc.run_sheet.consent", "runsheet_start")
    )
    before_restart.shutdown()
    restarted = DurableScheduler(database.engine, timedelta(hours=1))
    restarted.start(runner)
    try:
        await asyncio.wait_for(done.wait(), 10)
    finally:
        restarted.shutdown()
        database.dispose()
    assert [(j.conference_id, j.action) for j in ran] == [(3, "runsheet_start")]
