"""The endpoint Graph posts mailbox change notifications to (``POST /graph/notifications``).

It only routes: each notification's ``clientState`` names the mailbox whose sweep to wake,
through the ``notify`` callable the wiring puts under ``NOTIFY_KEY``. The sweep does the work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from bot.web.json_body import BodyRefused, read_json

logger = logging.getLogger(__name__)

ROUTE = "/graph/notifications"

# notify(client_state) wakes that mailbox's sweep; False when no mailbox has that clientState.
NOTIFY_KEY: web.AppKey[Callable[[str], bool]] = web.AppKey("graph_notify")


def _client_states(payload: object) -> list[str]:
    """The clientState of each notification in a Graph changeNotificationCollection."""
    if not isinstance(payload, dict) or not isinstance(payload.get("value"), list):
        raise ValueError("expected a Graph change notification")
    return [
        str(item.get("clientState") or "") if isinstance(item, dict) else ""
        for item in payload["value"]
    ]


async def notifications(request: web.Request) -> web.Response:
    """Answer the validation handshake, or wake the sweep of each notified mailbox.

    Graph wants the ``validationToken`` echoed as text/plain with 200 within 10 s when a
    subscription is made, and a 2xx within 3 s for notifications, so nothing here waits on
    the mailbox: the sweep runs afterwards.
    """
    token = request.query.get("validationToken")
    if token is not None:
        return web.Response(text=token, content_type="text/plain")
    try:
        states = _client_states(await read_json(request))
    except BodyRefused as err:  # too large, too deep, or not JSON: said so, never a 500
        return web.json_response({"error": str(err)}, status=err.status)
    except ValueError:
        return web.json_response({"error": "expected a Graph change notification"}, status=400)
    notify = request.app[NOTIFY_KEY]
    unknown = sum(1 for state in set(states) if not (state and notify(state)))
    if unknown:
        # Still 202. Graph counts any 2xx as delivered and retries anything else for up to
        # 4 hours (and slows or drops an endpoint that keeps failing), so refusing would only
        # bring back a stale subscription's notifications, e.g. one on a mailbox taken out of
        # the settings. The clientState check is what keeps a forged post from being acted on,
        # and the answer tells its sender nothing.
        logger.warning("ignored notification(s) with an unknown clientState: %d", unknown)
    return web.Response(status=202)


def add_routes(app: web.Application) -> None:
    """Mount the notification endpoint."""
    app.router.add_post(ROUTE, notifications)
