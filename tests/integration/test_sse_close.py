"""An event stream whose client goes away (a tab closed) ends with a DEBUG line, not an ERROR.

The server runs as ``confbot serve`` runs it: aiohttp's test server cancels a handler when
its client leaves, which would hide the write to a closed connection that serving meets.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.store.database import Database
from bot.web import console
from bot.web.console_events import CONSOLE_HUB_KEY, ConsoleMessage
from tests.browser.webapp import add_conference, build_web_app, headers_for
from tests.integration.console_world import CHAIR, VirtualClock, build_world, open_database


class Seen(logging.Handler):
    """Sets ``closed`` once a stream logs that its client left."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.closed = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "closed by its client" in record.getMessage():
            self.closed.set()


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """``app`` on a free loopback port, run as bot.app runs it; yields its base URL."""
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _close_then_poke(
    base: str, path: str, headers: dict[str, str], poke: Callable[[int], Awaitable[None]]
) -> Seen:
    """Open the stream, read its hello, close it as a tab does, then make it write."""
    seen = Seen()
    logging.getLogger("bot.web.sse").addHandler(seen)
    try:
        async with aiohttp.ClientSession() as session:
            response = await session.get(base + path, headers=headers)
            assert b"event: hello" in await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)
            response.close()
        for n in range(20):  # each poke makes the stream write to the closed connection
            await poke(n)
            if await asyncio.to_thread(seen.closed.wait, 0.25):
                break
    finally:
        logging.getLogger("bot.web.sse").removeHandler(seen)
    return seen


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    closing = [r for r in caplog.records if "closed by its client" in r.getMessage()]
    assert closing and all(r.levelno == logging.DEBUG for r in closing)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_closed_overview_stream_is_a_debug_line_not_an_error_traceback(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app, repo, _ = build_web_app(database)

    async def change(_n: int) -> None:
        await asyncio.to_thread(add_conference, repo)

    async with serving(app) as base:
        seen = await _close_then_poke(base, "/events/overview", headers_for("admin"), change)
    assert seen.closed.is_set()
    _no_errors(caplog)


async def test_a_console_stream_closed_by_its_chair_is_a_debug_line_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    database = open_database(tmp_path / "console.sqlite3")
    world = build_world(database, VirtualClock())
    app, _, _ = build_web_app(database, clock=world.clock)
    console.add_routes(app, world.runsheets)
    conference_id = world.add_conference()
    hub = app[CONSOLE_HUB_KEY]

    async def prompt(n: int) -> None:
        hub.publish(ConsoleMessage(conference_id, "prompt", f"p{n}", time.monotonic()))

    try:
        async with serving(app) as base:
            path = f"/conferences/{conference_id}/console/events"
            seen = await _close_then_poke(base, path, headers_for("chair", CHAIR), prompt)
            assert seen.closed.is_set() and hub.subscribers(conference_id) == 0
    finally:
        database.dispose()
    _no_errors(caplog)
