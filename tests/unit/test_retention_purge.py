"""The daily purge duty: each purge is logged by kind and count, and a failure is retried."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.core.retention import PurgeReport, RecordKind
from bot.runtime.retention import RetentionPurge
from bot.settings_retention import RetentionSettings


class FakeStore:
    """Answers a fixed report; the first purge can fail, as a busy store might."""

    def __init__(self, fail_first: bool = False) -> None:
        self.purges = 0
        self.fail_first = fail_first
        self.second = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    def purge(self, _policy: object) -> PurgeReport:
        self.purges += 1
        if self.purges == 2 and self.loop is not None:
            self.loop.call_soon_threadsafe(self.second.set)
        if self.fail_first and self.purges == 1:
            raise RuntimeError("database is locked")
        return PurgeReport({RecordKind.CONFERENCE: 3, RecordKind.WEB_SESSION: 12}, held=1)


def test_each_purge_is_logged_by_kind_and_count_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.runtime.retention")
    purge = RetentionPurge(FakeStore(), RetentionSettings().policy())  # type: ignore[arg-type]
    purge.purge_now()
    lines = [r.getMessage() for r in caplog.records]
    assert "retention purged 3 conference" in lines
    assert "retention purged 12 web_session" in lines
    assert any("1 held" in line for line in lines)


async def test_a_failed_purge_is_retried_and_the_duty_keeps_running() -> None:
    store = FakeStore(fail_first=True)
    store.loop = asyncio.get_running_loop()
    policy = RetentionSettings().policy()
    purge = RetentionPurge(
        store,  # type: ignore[arg-type]
        policy,
        every=timedelta(days=1),
        retry_after=timedelta(0),
    )
    task = asyncio.create_task(purge.run())
    try:
        await asyncio.wait_for(store.second.wait(), 5.0)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert store.purges == 2, "the failed purge was tried again, then the duty waited a day"
