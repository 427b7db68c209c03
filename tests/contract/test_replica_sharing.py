"""What replicas share on PostgreSQL: console news by LISTEN/NOTIFY and each run sheet's lock.

The hub's relay is checked in process with a relay that plays the database; the real one,
and the conference lock, need a PostgreSQL server and skip without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.core.runsheet.model import Prompt
from bot.store.database import Database
from bot.store.locks import ConferenceLocks, ConferenceLockTimeout
from bot.store.signals import PostgresSignals
from bot.web.console_events import REFETCH, ConsoleHub, ConsoleMessage
from tests.contract.test_prompt_channels import prompt
from tests.stores import fresh_postgres_database

ARRIVE_WITHIN_S = 10.0  # a notification arrives in milliseconds; this only bounds a hang


class LoopbackRelay:
    """Delivers every payload to every hub, the sender's included, as NOTIFY does."""

    def __init__(self) -> None:
        self.hubs: list[ConsoleHub] = []

    def publish(self, payload: str) -> None:
        for hub in self.hubs:
            hub.receive(payload)


def _prompt(prompt_id: str) -> Prompt:
    return prompt(prompt_id)


async def _next(queue: asyncio.Queue[ConsoleMessage | None]) -> ConsoleMessage | None:
    return await asyncio.wait_for(queue.get(), ARRIVE_WITHIN_S)


async def test_a_console_open_on_another_replica_hears_each_change_once() -> None:
    relay = LoopbackRelay()
    here, there = ConsoleHub(relay), ConsoleHub(relay)
    relay.hubs += [here, there]
    with here.subscribe(7) as mine, there.subscribe(7) as theirs, there.subscribe(8) as other:
        await here.send_prompt(7, "chair", _prompt("consent.1"))
        await here.mark_answered(7, "chair", _prompt("consent.1"))
        for queue in (mine, theirs):
            first, second = await _next(queue), await _next(queue)
            assert first is not None and second is not None
            assert [(first.kind, first.prompt_id), (second.kind, second.prompt_id)] == [
                ("prompt", "consent.1"),
                ("answered", "consent.1"),
            ]
            assert queue.empty()  # the relay's echo of our own news is not shown again
        assert other.empty()


async def test_news_that_is_not_a_console_message_is_ignored_and_a_gap_refetches_all() -> None:
    hub = ConsoleHub()
    with hub.subscribe(7) as queue:
        for payload in ("not json", json.dumps({"origin": "x"}), json.dumps([1])):
            hub.receive(payload)
        assert queue.empty()
        hub.refetch_all()
        message = await _next(queue)
        assert message is not None and message.kind == REFETCH


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from fresh_postgres_database()


class Heard(PostgresSignals):
    """The real signals, with an event set once something was heard."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.heard = asyncio.Event()


@contextlib.asynccontextmanager
async def _listening(url: str, heard: list[str]) -> AsyncIterator[Heard]:
    database = Database(url)
    signals = Heard(database)

    def deliver(payload: str) -> None:
        heard.append(payload)
        signals.heard.set()

    task = asyncio.create_task(signals.listen(deliver, lambda: None))
    try:
        await asyncio.wait_for(signals.listening.wait(), ARRIVE_WITHIN_S)
        yield signals
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        database.dispose()


@pytest.mark.postgres
async def test_a_notify_from_one_replica_reaches_every_listening_replica(
    postgres_url: str,
) -> None:
    first: list[str] = []
    second: list[str] = []
    async with _listening(postgres_url, first) as sender, _listening(postgres_url, second) as other:
        await asyncio.to_thread(sender.publish, '{"conference": 7}')
        await asyncio.wait_for(sender.heard.wait(), ARRIVE_WITHIN_S)
        await asyncio.wait_for(other.heard.wait(), ARRIVE_WITHIN_S)
    assert first == second == ['{"conference": 7}']


@pytest.mark.postgres
def test_one_replica_at_a_time_holds_a_conferences_run_sheet(postgres_url: str) -> None:
    from datetime import timedelta

    here, there = Database(postgres_url), Database(postgres_url)
    try:
        held = ConferenceLocks(here).acquire(7)
        other_conference = ConferenceLocks(there).acquire(8)  # another conference: no wait
        other_conference.release()
        took: list[float] = []

        def wait_for_it() -> None:
            ConferenceLocks(there).acquire(7).release()
            took.append(time.monotonic())

        waiting = threading.Thread(target=wait_for_it)
        waiting.start()
        time.sleep(0.3)  # the other replica is left waiting: nothing to wait on but time
        assert not took
        released = time.monotonic()
        held.release()
        waiting.join(ARRIVE_WITHIN_S)
        assert took and took[0] >= released
        # A lock held past the wait gives a clear error, not a hang.
        held = ConferenceLocks(here).acquire(7)
        with pytest.raises(ConferenceLockTimeout):
            ConferenceLocks(there, wait=timedelta(milliseconds=200)).acquire(7)
        held.release()
    finally:
        here.dispose()
        there.dispose()
