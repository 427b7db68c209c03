"""`confbot backup` and `confbot restore` on the embedded default (a SQLite file).

Fill a store, back it up while something keeps writing to it, wipe it, restore it, and
serve again: the same conferences are there, and each pending job fires exactly once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.cli.main import main
from bot.core.conference import ConferenceType
from bot.runtime.durable import DurableScheduler
from bot.runtime.scheduler import Job
from bot.store.database import Database
from bot.store.leader import FileLeadership, leader_lock_file
from bot.store.repository import Repository

GRACE = timedelta(hours=1)
FIRE_WITHIN_S = 10.0


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A store URL and its file, with the CLI pointed at them."""
    path = tmp_path / "var" / "confbot.sqlite3"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("CONFBOT_STORE__URL", url)
    monkeypatch.setenv("CONFBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CONFBOT_CONFERENCE__PLAYBOOK", "northmoor")
    yield url, path


def _fill(url: str, count: int) -> tuple[list[str], list[Job]]:
    """Conferences, and one pending job each: half already due, half due in a second."""
    database = Database(url)
    database.upgrade()
    repo = Repository(database)
    now = datetime.now(UTC)
    references, jobs = [], []
    for n in range(count):
        conference = repo.create_conference(
            playbook="northmoor", conference_type=ConferenceType.ICPC
        )
        references.append(conference.reference)
        due = now - timedelta(minutes=5) if n % 2 else now + timedelta(seconds=1)
        jobs.append(Job(due, conference.id, f"remind.step{n}", "remind"))
    engine = create_engine(url)
    scheduler = DurableScheduler(engine, GRACE)
    # Stored, not run: a paused scheduler is how a replica that is not leading adds jobs.
    asyncio.run(_store_jobs(scheduler, jobs))
    engine.dispose()
    database.dispose()
    return references, jobs


async def _store_jobs(scheduler: DurableScheduler, jobs: list[Job]) -> None:
    async def never(_job: Job) -> None:
        raise AssertionError("a paused scheduler ran a job")

    scheduler.start(never, paused=True)
    for job in jobs:
        scheduler.add(job)
    scheduler.shutdown()


def _references(url: str) -> list[str]:
    database = Database(url)
    try:
        return sorted(line.reference for line in Repository(database).list_conferences(limit=1000))
    finally:
        database.dispose()


def test_a_backup_taken_while_serving_restores_every_conference_and_fires_each_pending_job_once(
    store: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, path = store
    references, jobs = _fill(url, 6)
    backup = tmp_path / "backups" / "confbot-backup.sqlite3"
    backup.parent.mkdir()

    # Something keeps writing while the backup runs, as the service would.
    stop = threading.Event()
    writes: list[int] = []
    started = threading.Event()

    def keep_writing() -> None:
        database = Database(url)
        repo = Repository(database)
        while not stop.is_set():
            repo.append_timeline(jobs[0].conference_id, actor="confbot", kind="heartbeat")
            writes.append(1)
            started.set()
        database.dispose()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    assert started.wait(FIRE_WITHIN_S), "the writer did not start"
    try:
        assert main(["backup", str(backup)]) == 0
    finally:
        stop.set()
        writer.join()
    assert writes, "the store was written to while the backup ran"
    assert "6 conferences, 6 pending jobs" in capsys.readouterr().out

    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()  # the store is lost
    assert main(["restore", str(backup)]) == 0
    assert _references(url) == sorted(references)

    ran: list[Job] = []
    asyncio.run(_serve_until_all_ran(url, jobs, ran))
    assert sorted(j.id for j in ran) == sorted(j.id for j in jobs), "each job fires once"


async def _serve_until_all_ran(url: str, jobs: list[Job], ran: list[Job]) -> None:
    every = asyncio.Event()

    async def runner(job: Job) -> None:
        ran.append(job)
        if len(ran) >= len(jobs):
            every.set()

    engine = create_engine(url)
    scheduler = DurableScheduler(engine, GRACE)
    scheduler.start(runner)
    try:
        await asyncio.wait_for(every.wait(), FIRE_WITHIN_S)
        await asyncio.sleep(0.5)  # room for a duplicate to show itself
        assert scheduler.pending() == []
    finally:
        scheduler.shutdown()
        engine.dispose()


def test_a_restore_from_a_damaged_file_is_refused_in_one_line_and_the_store_is_kept(
    store: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _path = store
    references, _jobs = _fill(url, 2)
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4000)
    assert main(["restore", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "damaged.sqlite3" in err
    assert _references(url) == sorted(references)


def test_a_restore_from_a_foreign_sqlite_file_is_refused_and_the_store_is_kept(
    store: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _path = store
    references, _jobs = _fill(url, 2)
    foreign = tmp_path / "photos.sqlite3"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE album (id INTEGER PRIMARY KEY)")
    connection.close()
    assert main(["restore", str(foreign)]) == 2
    assert "not a confbot store" in capsys.readouterr().err
    assert _references(url) == sorted(references)


def test_a_restore_is_refused_while_a_service_runs_on_the_store(
    store: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, path = store
    references, _jobs = _fill(url, 1)
    backup = tmp_path / "copy.sqlite3"
    assert main(["backup", str(backup)]) == 0
    service = FileLeadership(leader_lock_file(path, tmp_path / "var"))
    assert service.try_acquire()
    try:
        assert main(["restore", str(backup)]) == 2
        assert "running" in capsys.readouterr().err
    finally:
        service.release()
    assert _references(url) == sorted(references)
