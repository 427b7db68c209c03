"""/readyz is not ready, with the reason, while the store cannot be written; ready once it can."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.store.database import Database
from bot.store.writable import WriteProbe, write_once
from bot.web.health import WRITE_PROBE_KEY
from tests.browser.webapp import build_web_app, client_for

FULL = Path("/dev/full")  # Linux's always-full device: every write is ENOSPC


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.skipif(not FULL.exists(), reason="needs Linux's /dev/full to fill the disk")
async def test_readyz_is_not_ready_with_the_reason_while_the_disk_is_full_then_recovers(
    database: Database, tmp_path: Path
) -> None:
    clock = Clock()
    app, _, _ = build_web_app(database)
    app[WRITE_PROBE_KEY] = WriteProbe(database, clock=clock)
    client = await client_for(app)
    # The probe's file beside the database now lands on a full device.
    beside = tmp_path / "web.sqlite3.probe"
    try:
        assert (await client.get("/readyz")).status == 200
        beside.symlink_to(FULL)
        clock.now += 10
        full = await client.get("/readyz")
        assert full.status == 503
        assert await full.json() == {
            "status": "unavailable",
            "database": "the database's folder cannot be written (No space left on device)",
        }
        beside.unlink()  # space is freed
        clock.now += 10
        recovered = await client.get("/readyz")
        assert recovered.status == 200 and (await recovered.json())["status"] == "ready"
    finally:
        await client.close()


async def test_readyz_is_not_ready_when_the_database_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "web.sqlite3"
    writable = Database(f"sqlite:///{path}")
    writable.upgrade()
    writable.dispose()
    # Opened read-only, as a volume remounted read-only would leave it: reads work, writes fail.
    read_only = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    app, _, _ = build_web_app(read_only)
    client = await client_for(app)
    try:
        response = await client.get("/readyz")
        body = await response.json()
        assert response.status == 503
        assert body["status"] == "unavailable"
        assert body["database"].startswith("the database cannot be written (attempt to write")
    finally:
        await client.close()
        read_only.dispose()


def test_the_write_probe_writes_at_most_once_per_cache_period(database: Database) -> None:
    clock = Clock()
    writes: list[float] = []

    def counted(db: Database) -> None:
        writes.append(clock.now)
        write_once(db)

    probe = WriteProbe(database, cache_for=timedelta(seconds=5), write=counted, clock=clock)
    for _ in range(10):
        assert probe.problem() is None
    clock.now += 5
    assert probe.problem() is None
    assert writes == [1000.0, 1005.0]
