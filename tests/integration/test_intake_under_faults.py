"""Intake under Graph faults: a failed sweep is retried within seconds, not at the next round.

confbot runs in process on its embedded sandbox with the safety-net sweep an hour apart, so
only the notifications and the sweep's own retries can read the mail. The sandbox then fails
a fifth of Graph's requests (429 with Retry-After, 503, 500; some refused, some done with
the answer lost) while twenty requests arrive.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.core.mailbox import InboundMessage, RequestMailbox
from bot.runtime.mailbox import MailboxSweep
from tests.integration.runtime_harness import (
    Running,
    preset_body,
    running,
    settings_for,
    working_days_ahead,
)

REQUESTS = 20
READ_WITHIN_S = 60.0  # issue 19: every request read within 60 s under 20% faults
FAULT_SEED = 19

pytestmark = pytest.mark.slow


class ReadWatch:
    """Notes when the sweep's handler has finished with each message, and wakes the test
    when every expected one is read."""

    def __init__(self, sweep: MailboxSweep) -> None:
        self.expected: set[str] = set()
        self.read: dict[str, float] = {}
        self.all_read = asyncio.Event()
        handle: Callable[[InboundMessage, RequestMailbox], Awaitable[object]] = sweep.handle

        async def watched(message: InboundMessage, mailbox: RequestMailbox) -> object:
            result = await handle(message, mailbox)  # raises when the message was not read
            self.read.setdefault(message.id, time.monotonic())
            if self.expected and self.expected <= self.read.keys():
                self.all_read.set()
            return result

        sweep.handle = watched


async def started(bot: Running) -> MailboxSweep:
    """The sweep, once it has read the mailbox and the mail subscription exists."""
    sweep, settings = bot.services.sweep, bot.services.settings
    assert sweep is not None
    key = f"subscription:{settings.graph.request_mailbox}"
    for _ in range(400):  # bounded: 10 s
        if sweep.last_sweep is not None and bot.services.repository.get_state(key):
            return sweep
        await asyncio.sleep(0.025)
    raise TimeoutError("confbot did not finish starting within 10 s")


async def test_every_request_is_read_within_a_minute_despite_20_percent_graph_faults(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.runtime.mailbox")
    async with running(settings_for(tmp_path, self_booking=True)) as bot:
        sweep = await started(bot)
        watch = ReadWatch(sweep)
        async with bot.http.post(
            f"{bot.sandbox}/_sandbox/faults",
            json={
                "rate": 0.2,
                "statuses": [429, 503, 500],
                "retry_after": 0.5,
                "phase": "either",
                "seed": FAULT_SEED,
                "path": "^/v1.0/",
            },
        ) as response:
            assert response.status == 200, await response.text()
        posted = time.monotonic()
        for case in range(REQUESTS):
            watch.expected.add(await bot.mail(preset_body(working_days_ahead(6), case=case)))
        try:
            await asyncio.wait_for(watch.all_read.wait(), READ_WITHIN_S)
        finally:
            async with bot.http.delete(f"{bot.sandbox}/_sandbox/faults"):
                pass
        took = max(watch.read[m] for m in watch.expected) - posted
        logged = [r.getMessage() for r in caplog.records]
        failed = [line for line in logged if line.startswith("mailbox sweep failed")]
        retried = [line for line in logged if line.startswith("mailbox sweep retrying in")]
        repository = bot.services.repository
        stored = [repository.find_request(message_id) for message_id in watch.expected]

    print(f"{REQUESTS} requests read in {took:.1f}s under 20% faults; {len(failed)} sweeps failed")
    assert took < READ_WITHIN_S
    assert failed, "no sweep failed: the faults did not reach the intake, so nothing was tried"
    # Every failure was temporary and retried within seconds; none waited for the hourly round.
    assert len(retried) == len(failed)
    assert all(s is not None and s.outcome != "pending" for s in stored)
