"""Two replicas on one PostgreSQL: the leader is killed mid-way and every job still fires once.

Both replicas serve the web app; only the one holding the advisory lock runs the scheduler
and the mailbox sweep. The test books conferences through the sandbox, sets sixteen
reminder jobs due over the next seconds, SIGKILLs the leader while they fire, and checks
the other replica takes over within 30 s and that each job ran exactly once.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.runtime.durable import DurableScheduler
from bot.runtime.scheduler import Job
from tests.integration.runtime_harness import (
    preset_body,
    self_booking_playbook,
    working_days_ahead,
)
from tests.integration.test_crash_trials import CONFBOT, Process, Sandbox, sandbox
from tests.stores import fresh_postgres_database

__all__ = ["sandbox"]

CONFERENCES = 8
STEPS = (
    "icpc.report_sharing.sw_report_to_parents",
    "icpc.report_sharing.sw_report_to_parents.discussion",
)
TAKEOVER_WITHIN_S = 30.0
POLL_S = 0.1  # how often a wait looks again: short, so a wait ends soon after its condition

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from fresh_postgres_database()


def _replica(tmp_path: Path, name: str, url: str, box: Sandbox) -> Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    data = tmp_path / name
    env.update(
        CONFBOT_DATA_DIR=str(data),
        CONFBOT_STORE__URL=url,
        CONFBOT_WEB__PORT="0",
        CONFBOT_GRAPH__BASE_URL=f"{box.url}/v1.0",
        CONFBOT_CONFERENCE__SWEEP_INTERVAL="PT1S",
        # The sandbox outlives every kill, so an unclear send can be looked up at once.
        CONFBOT_GRAPH__UNCLEAR_SEND_WAIT="PT1S",
        # The requests name chair, format and start and book themselves (not Lancashire's rule).
        CONFBOT_CONFERENCE__PLAYBOOK=str(self_booking_playbook(tmp_path)),
    )
    data.mkdir()
    process = Process([CONFBOT, "serve"], env=env, cwd=data)
    assert process.expect(r"confbot is running", 60), "".join(process.output)
    return process


def _leader_pid(engine: Engine) -> int | None:
    """The process holding the leader's lock in this test's database.

    pg_locks spans the server, so other databases' replicas are left out; a run sheet's
    lock (two keys, objsubid 2) is not the leader's (one key, objsubid 1).
    """
    with engine.connect() as connection:
        name = connection.execute(
            text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.objsubid = 1 AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        ).scalar()
    return int(name.removeprefix("confbot-")) if name else None


async def _store(engine: Engine, jobs: list[Job]) -> None:
    """Write jobs to the shared store through a paused scheduler, as a follower does."""
    scheduler = DurableScheduler(engine, timedelta(hours=1))

    async def never(_job: Job) -> None:
        raise AssertionError("the test's scheduler must not run jobs")

    scheduler.start(never, paused=True)
    for job in jobs:
        scheduler.add(job)
    scheduler.shutdown()


def _wait_for(
    check: Callable[[], object],
    within: float,
    what: str,
    progress: Callable[[], object] | None = None,
) -> None:
    """Poll ``check`` until it is true; on timeout fail naming ``what`` and the progress made."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(POLL_S)  # another process does the work: there is nothing to await here
    made = f" (so far: {progress()!r})" if progress is not None else ""
    pytest.fail(f"timed out after {within} s waiting for {what}{made}")


def test_leader_killed_mid_way_every_job_fires_exactly_once(
    tmp_path: Path, sandbox: Sandbox, postgres_url: str
) -> None:
    engine = create_engine(postgres_url)
    first = _replica(tmp_path, "a", postgres_url, sandbox)
    second = _replica(tmp_path, "b", postgres_url, sandbox)
    replicas = {first.popen.pid: first, second.popen.pid: second}
    try:
        _wait_for(lambda: _leader_pid(engine) in replicas, 30, "a leader")
        for case in range(CONFERENCES):
            sandbox.mail(preset_body(working_days_ahead(6), case=case), subject=f"Request {case}")

        def booked() -> int:
            with engine.connect() as connection:
                return int(
                    connection.execute(
                        text("SELECT count(*) FROM conference WHERE state = 'scheduled'")
                    ).scalar_one()
                )

        _wait_for(
            lambda: booked() == CONFERENCES, 60, "every conference to be booked", progress=booked
        )
        with engine.connect() as connection:
            conferences: dict[int, str] = dict(
                connection.execute(text("SELECT id, reference FROM conference")).all()
            )

        # Reminders due one after another over the next sixteen seconds, written to the
        # shared job store as any replica would write them.
        now = datetime.now(UTC)
        jobs = [
            Job(now + timedelta(seconds=3 + index), cid, step, "remind")
            for index, (cid, step) in enumerate(
                (cid, step) for cid in sorted(conferences) for step in STEPS
            )
        ]
        asyncio.run(_store(engine, jobs))

        def done() -> Counter[str]:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT step_id FROM timeline_entry WHERE kind = 'done'")
                ).scalars()
                return Counter(r for r in rows if r and r.endswith(":remind"))

        def fired() -> int:
            counts = done()
            return sum(counts[job.id] for job in jobs)

        leader = _leader_pid(engine)
        assert leader in replicas
        # Kill the leader mid-way: once about a third of the jobs have fired.
        _wait_for(
            lambda: fired() >= len(jobs) // 3, 60, "a third of the jobs to fire", progress=fired
        )
        killed_at = time.monotonic()
        replicas[leader].kill()
        fired_before_kill = fired()
        assert 0 < fired_before_kill < len(jobs), "the kill must land while jobs are firing"
        survivor = next(pid for pid in replicas if pid != leader)
        _wait_for(lambda: _leader_pid(engine) == survivor, TAKEOVER_WITHIN_S, "the takeover")
        assert time.monotonic() - killed_at <= TAKEOVER_WITHIN_S

        _wait_for(
            lambda: {j.id for j in jobs} <= set(done()), 60, "every job to fire", progress=fired
        )
        counts = done()
        assert {job.id: counts[job.id] for job in jobs} == {job.id: 1 for job in jobs}

        def reminders() -> Counter[str]:
            state = sandbox.call("GET", "/_sandbox/state")
            return Counter(
                ref
                for message in state["mail"]["sw.okafor"]
                for ref in conferences.values()
                if message["subject"].startswith(f"Reminder for conference {ref}")
            )

        # A reminder the killed leader was sending is settled by the survivor: it looks the
        # mail up in the mailbox after the unclear-send wait, then sends it if it never went.
        expected = Counter({ref: len(STEPS) for ref in conferences.values()})
        _wait_for(
            lambda: reminders() == expected, 60, "every reminder to arrive", progress=reminders
        )
        assert reminders() == expected
    finally:
        for process in replicas.values():
            process.stop()
        engine.dispose()
