"""Server-sent events: tell an open overview or detail page that what it shows has changed.

The stream carries only a fingerprint, never data; the page then fetches its own live part,
so the stream needs no personal-data rules of its own beyond who may open it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

from aiohttp import web

from bot.web.audit import record_view
from bot.web.security import EVERYONE, VIEWERS, prepare_headers, require
from bot.web.status import in_thread, load_visible, queries

logger = logging.getLogger(__name__)

POLL = timedelta(seconds=1)  # how often the store is asked whether anything changed
HEARTBEAT = timedelta(seconds=15)  # keeps proxies from closing a quiet stream

POLL_KEY: web.AppKey[timedelta] = web.AppKey("sse_poll", timedelta)
STOPPING_KEY: web.AppKey[asyncio.Event] = web.AppKey("sse_stopping", asyncio.Event)


@contextlib.contextmanager
def until_client_leaves(request: web.Request) -> Iterator[None]:
    """End a stream quietly when its client goes (a tab closed, a laptop shut): not an error.

    Writing to a closed connection raises aiohttp's ``ClientConnectionResetError`` ("Cannot
    write to closing transport"), a ``ConnectionResetError``; unhandled, aiohttp would log it
    at ERROR with a traceback for every closed tab.
    """
    try:
        yield
    except ConnectionResetError:
        logger.debug("event stream closed by its client: %s", request.path)


async def _stream(request: web.Request, version: Callable[[], str]) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"}
    )
    prepare_headers(request, response)
    await response.prepare(request)
    stopping = request.app[STOPPING_KEY]
    poll = request.app.get(POLL_KEY, POLL).total_seconds()
    last = await in_thread(version)
    with until_client_leaves(request):
        await response.write(f"retry: 3000\nevent: hello\ndata: {last}\n\n".encode())
        quiet = 0.0
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), poll)
            if stopping.is_set():
                break
            current = await in_thread(version)
            if current != last:
                last, quiet = current, 0.0
                await response.write(f"event: change\ndata: {current}\n\n".encode())
            else:
                quiet += poll
                if quiet >= HEARTBEAT.total_seconds():
                    quiet = 0.0
                    await response.write(b": still here\n\n")
    return response


async def overview_events(request: web.Request) -> web.StreamResponse:
    """Changes to anything the overview shows."""
    require(request, VIEWERS)
    return await _stream(request, queries(request).overview_version)


async def conference_events(request: web.Request) -> web.StreamResponse:
    """Changes to one conference; a chair may follow only their own."""
    identity = require(request, EVERYONE)
    conference = await load_visible(request, identity)
    await record_view(request, identity, conference.id, "events")
    q = queries(request)
    return await _stream(request, lambda: q.conference_version(conference.id))


async def _stop_streams(app: web.Application) -> None:
    app[STOPPING_KEY].set()  # open streams end at once, so shutdown is not held up


def add_routes(app: web.Application) -> None:
    """Mount the event streams."""
    app[STOPPING_KEY] = asyncio.Event()
    app.on_shutdown.append(_stop_streams)
    app.router.add_get("/events/overview", overview_events)
    app.router.add_get(r"/events/conferences/{conference_id:\d+}", conference_events)
