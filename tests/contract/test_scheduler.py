"""The job scheduler contract: the virtual scheduler and APScheduler on SQLite and PostgreSQL.

Time is driven without sleeping. The virtual scheduler's clock is moved by ``advance``; the
durable one runs on the wall clock, so a test waits on an event its runner sets for a job
due now, with a timeout. "Not yet" and "not again" are shown with a sentinel: a job due
later than the one under test, whose run proves the scheduler has already looked at it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from bot.runtime.durable import DurableScheduler
from bot.runtime.scheduler import Job, JobScheduler, VirtualScheduler
from tests.stores import fresh_postgres_database

RUN_WITHIN_S = 10.0  # a due job reaches the runner in milliseconds; this only bounds a hang
GRACE = timedelta(hours=1)
LATER = timedelta(hours=1)


class Recorder:
    """The runner: remembers every job it is handed and signals each one's arrival."""

    def __init__(self) -> None:
        self.ran: list[Job] = []
        self._arrived: dict[str, asyncio.Event] = {}

    async def __call__(self, job: Job) -> None:
        self.ran.append(job)
        self.arrival(job).set()

    def arrival(self, job: Job) -> asyncio.Event:
        """Set once ``job`` (this exact id) has been handed to the runner."""
        return self._arrived.setdefault(job.id, asyncio.Event())


class VirtualRig:
    """The virtual scheduler; "now" is whatever the test says."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.virtual = VirtualScheduler(self.recorder)
        self.scheduler: JobScheduler = self.virtual

    async def run_until(self, job: Job) -> None:
        """Run every job due by ``job``'s time; ``job`` among them."""
        await self.virtual.advance(job.run_at)
        assert self.recorder.arrival(job).is_set(), f"{job.id} was not run at {job.run_at}"


class DurableRig:
    """APScheduler with its SQLAlchemy job store, on the wall clock."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.recorder = Recorder()
        self.engine: Engine | None = None
        self.durable: DurableScheduler | None = None

    @property
    def scheduler(self) -> JobScheduler:
        """The scheduler now open."""
        assert self.durable is not None, "the store is closed"
        return self.durable

    def open(self, *, paused: bool = False) -> None:
        """Open the job store and start; a paused scheduler stores jobs but runs none."""
        self.engine = create_engine(self.url)
        self.durable = DurableScheduler(self.engine, GRACE)
        self.durable.start(self.recorder, paused=paused)

    async def run_until(self, job: Job) -> None:
        """Wait until ``job`` (due by now) has been handed to the runner."""
        try:
            await asyncio.wait_for(self.recorder.arrival(job).wait(), RUN_WITHIN_S)
        except TimeoutError:
            pytest.fail(f"{job.id}, due {job.run_at}, did not run within {RUN_WITHIN_S} s")

    async def close(self) -> None:
        """Stop the scheduler and close the store."""
        if self.durable is not None:
            self.durable.shutdown()
            self.durable = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None

    async def reopen(self, *, paused: bool = False) -> None:
        """Close and open the store again, as a restart does."""
        await self.close()
        self.open(paused=paused)


Rig = VirtualRig | DurableRig


POSTGRES = pytest.mark.postgres


@contextlib.asynccontextmanager
async def _durable(kind: str, tmp_path: Path) -> AsyncIterator[DurableRig]:
    if kind == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'jobs.sqlite3'}"])
    else:
        urls = fresh_postgres_database()
    for url in urls:  # one URL; the PostgreSQL database is dropped when the loop ends
        rig = DurableRig(url)
        rig.open()
        try:
            yield rig
        finally:
            await rig.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=POSTGRES)])
async def durable(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DurableRig]:
    """APScheduler on SQLite, and on PostgreSQL when the tests have a server."""
    async with _durable(request.param, tmp_path) as rig:
        yield rig


@pytest.fixture(
    params=["virtual", "durable-sqlite", pytest.param("durable-postgresql", marks=POSTGRES)]
)
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    """Each scheduler behind the port."""
    if request.param == "virtual":
        yield VirtualRig()
        return
    async with _durable(request.param.removeprefix("durable-"), tmp_path) as durable_rig:
        yield durable_rig


def _now() -> datetime:
    # Whole seconds: the SQLAlchemy job store keeps run times as float timestamps.
    return datetime.now(UTC).replace(microsecond=0)


async def test_adding_a_job_with_the_same_id_replaces_it(rig: Rig) -> None:
    now = _now()
    first = Job(now + LATER, 1, "icpc.report_sharing", "remind")
    again = Job(now - timedelta(seconds=1), 1, "icpc.report_sharing", "remind")
    rig.scheduler.add(first)
    rig.scheduler.add(again)
    assert rig.scheduler.pending() == [again]
    await rig.run_until(again)
    sentinel = Job(now, 2, "icpc.invitations", "remind")
    rig.scheduler.add(sentinel)
    await rig.run_until(sentinel)
    assert rig.recorder.ran == [again, sentinel]
    assert rig.scheduler.pending() == []


async def test_pending_is_soonest_first(rig: Rig) -> None:
    now = _now()
    jobs = [
        Job(now + LATER + timedelta(minutes=30), 3, "icpc.minutes", "check"),
        Job(now + LATER, 1, "icpc.report_sharing", "remind"),
        Job(now + LATER + timedelta(minutes=10), 2, "icpc.invitations", "remind"),
        Job(now + LATER + timedelta(minutes=20), 1, "icpc.pack", "pack"),
    ]
    for job in jobs:
        rig.scheduler.add(job)
    assert rig.scheduler.pending() == sorted(jobs, key=lambda j: j.run_at)
    assert rig.scheduler.pending(1) == [jobs[1], jobs[3]]
    assert rig.scheduler.pending(4) == []


async def test_remove_conference_drops_exactly_that_conferences_jobs_and_returns_how_many(
    rig: Rig,
) -> None:
    now = _now()
    mine = [
        Job(now - timedelta(seconds=1), 1, "icpc.report_sharing", "remind"),
        Job(now + LATER, 1, "icpc.minutes", "check"),
    ]
    # Conference 11's ids start with "c1" too: only the whole id prefix "c1:" is conference 1.
    others = [Job(now + LATER, 11, "icpc.minutes", "check"), Job(now + LATER, 2, "rcpc.x", "pack")]
    for job in (*mine, *others):
        rig.scheduler.add(job)
    assert rig.scheduler.remove_conference(1) == len(mine)
    assert rig.scheduler.pending() == sorted(others)
    assert rig.scheduler.remove_conference(1) == 0
    # A dropped job never runs, even one that was already due.
    sentinel = Job(now, 3, "icpc.invitations", "remind")
    rig.scheduler.add(sentinel)
    await rig.run_until(sentinel)
    assert rig.recorder.ran == [sentinel]


async def test_a_due_job_is_handed_to_the_runner_exactly_once(rig: Rig) -> None:
    now = _now()
    due = Job(now - timedelta(seconds=2), 1, "icpc.report_sharing", "remind")
    rig.scheduler.add(due)
    await rig.run_until(due)
    assert rig.scheduler.pending() == []
    # Two more rounds of the scheduler's loop, each proven by a sentinel that ran after it.
    for second, step in enumerate(("icpc.invitations", "icpc.pack"), start=1):
        sentinel = Job(now - timedelta(seconds=2) + timedelta(seconds=second), 2, step, "remind")
        rig.scheduler.add(sentinel)
        await rig.run_until(sentinel)
    assert rig.recorder.ran.count(due) == 1
    assert len(rig.recorder.ran) == 3


async def test_a_job_in_the_future_is_not_run_early(rig: Rig) -> None:
    now = _now()
    future = Job(now + LATER, 1, "icpc.report_sharing", "remind")
    rig.scheduler.add(future)
    sentinel = Job(now, 2, "icpc.invitations", "remind")
    rig.scheduler.add(sentinel)
    await rig.run_until(sentinel)
    assert rig.recorder.ran == [sentinel]
    assert rig.scheduler.pending() == [future]


async def test_the_virtual_scheduler_runs_a_job_at_its_time_and_not_a_moment_before() -> None:
    rig = VirtualRig()
    at = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)
    job = Job(at, 1, "icpc.report_sharing", "remind")
    rig.scheduler.add(job)
    assert await rig.virtual.advance(at - timedelta(microseconds=1)) == []
    assert await rig.virtual.advance(at) == [job]
    assert rig.recorder.ran == [job]


async def test_durable_jobs_survive_closing_and_reopening_the_store(durable: DurableRig) -> None:
    now = _now()
    later = Job(now + LATER, 1, "icpc.minutes", "check")
    due = Job(now - timedelta(seconds=1), 2, "icpc.report_sharing", "remind")
    # A follower (paused) writes both; then every replica stops.
    await durable.reopen(paused=True)
    durable.scheduler.add(later)
    durable.scheduler.add(due)
    await durable.close()
    durable.open()
    await durable.run_until(due)
    assert durable.recorder.ran == [due]
    assert durable.scheduler.pending() == [later]
    await durable.reopen(paused=True)
    assert durable.scheduler.pending() == [later]


_CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("test_caller", default="none")


async def test_a_job_runs_in_the_schedulers_own_context_never_its_schedulers_callers(
    durable: DurableRig,
) -> None:
    # The outbox keeps its open mail batch in a context variable. A booking schedules its
    # jobs from inside one: a job that ran in the booking's context would put its mail in
    # that batch, long since sent, and the mail would never go.
    seen: dict[str, str] = {}
    recorder = durable.recorder

    async def runner(job: Job) -> None:
        seen[job.id] = _CALLER.get()
        await recorder(job)

    await durable.close()  # the rig's scheduler knows nothing of contexts: start one here
    engine = create_engine(durable.url)
    scheduler = DurableScheduler(engine, GRACE)
    scheduler.start(runner)
    try:
        started = Job(_now() - timedelta(seconds=1), 1, "icpc.strategy", "check")
        scheduler.add(started)
        await durable.run_until(started)  # the scheduler's own first wake-up is behind us
        now = _now()
        first = Job(now - timedelta(seconds=1), 1, "icpc.report_sharing", "remind")
        second = Job(now + timedelta(seconds=1), 2, "icpc.report_sharing", "remind")
        token = _CALLER.set("a booking, mid-batch")
        try:
            scheduler.add(first)
            scheduler.add(second)  # run later, from the wake-up the first one armed
        finally:
            _CALLER.reset(token)
        await durable.run_until(first)
        await durable.run_until(second)
    finally:
        scheduler.shutdown()
        engine.dispose()
    assert seen == {started.id: "none", first.id: "none", second.id: "none"}
