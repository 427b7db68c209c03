"""The endpoint Graph posts mailbox change notifications to (``POST /graph/notifications``)."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable

from aiohttp import web

logger = logging.getLogger(__name__)

NOTIFIED_KEY: web.AppKey[Callable[[], None]] = web.AppKey("mail_notified")
CLIENT_STATE_KEY: web.AppKey[str] = web.AppKey("mail_client_state", str)


async def notifications(request: web.Request) -> web.Response:
    """Answer the validation handshake, or accept notifications and wake the sweep.

    Graph wants the token echoed as text/plain within 10 s, and a 202 within 3 s for
    notifications, so the work happens afterwards, in the sweep.
    """
    token = request.query.get("validationToken")
    if token is not None:
        return web.Response(text=token, content_type="text/plain")
    try:
        payload = json.loads(await request.text())
        items = payload["value"]
        if not isinstance(items, list):
            raise TypeError("value is not a list")
    except (ValueError, KeyError, TypeError):
        return web.json_response({"error": "expected a Graph change notification"}, status=400)
    expected = request.app[CLIENT_STATE_KEY]
    genuine = [
        item
        for item in items
        if isinstance(item, dict)
        and hmac.compare_digest(str(item.get("clientState", "")), expected)
    ]
    if len(genuine) != len(items):
        logger.warning(
            "ignored %d notification(s) with a wrong clientState", len(items) - len(genuine)
        )
    if genuine:
        request.app[NOTIFIED_KEY]()
    return web.Response(status=202)


def add_routes(app: web.Application) -> None:
    """Mount the notification endpoint."""
    app.router.add_post("/graph/notifications", notifications)
