"""Change notifications: the validation handshake and the POSTs Graph sends to webhooks."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

VALIDATION_TIMEOUT = 10.0  # seconds Graph allows the endpoint to echo validationToken
NOTIFY_TIMEOUT = 3.0  # seconds Graph allows the endpoint to answer a notification

_INBOX = re.compile(
    r"^/?users/(?P<user>[^/]+)/(?:mailfolders(?:\('(?P<q>[^']+)'\)|/(?P<f>[^/]+))/)?messages$",
    re.IGNORECASE,
)


class ValidationFailed(Exception):
    """The notification URL did not echo the validation token in time."""


def resource_target(resource: str) -> tuple[str, str | None] | None:
    """``(user, folder or None for every folder)`` for a messages resource."""
    match = _INBOX.match(resource.strip())
    if match is None:
        return None
    folder = match.group("q") or match.group("f")
    return match.group("user"), folder.lower() if folder else None


class Notifier:
    """Sends validation requests and change notifications, and tracks them to the end."""

    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self._given = session
        self._session: aiohttp.ClientSession | None = session
        self._tasks: set[asyncio.Task[None]] = set()
        self.delivered = 0
        self.failed = 0

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def validate(self, notification_url: str) -> None:
        """Graph's handshake: POST ``?validationToken=``; the endpoint must echo it."""
        token = secrets.token_urlsafe(24)
        try:
            async with self._client().post(
                notification_url,
                params={"validationToken": token},
                headers={"Content-Type": "text/plain; charset=utf-8"},
                timeout=aiohttp.ClientTimeout(total=VALIDATION_TIMEOUT),
            ) as response:
                text = await response.text()
                ok = response.status == 200 and text == token
        except (aiohttp.ClientError, TimeoutError) as err:
            raise ValidationFailed(str(err)) from err
        if not ok:
            raise ValidationFailed("the endpoint did not echo the validation token")

    def send(self, notification_url: str, payload: dict[str, Any]) -> None:
        """Post ``payload`` in the background, as Graph does."""
        task = asyncio.get_running_loop().create_task(
            self._post(notification_url, payload), name="sandbox-notification"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, url: str, payload: dict[str, Any]) -> None:
        try:
            async with self._client().post(
                url, json=payload, timeout=aiohttp.ClientTimeout(total=NOTIFY_TIMEOUT)
            ) as response:
                await response.read()
                if response.status < 300:
                    self.delivered += 1
                else:
                    self.failed += 1
                    logger.warning("notification endpoint answered %d", response.status)
        except (aiohttp.ClientError, TimeoutError):
            self.failed += 1
            logger.warning("notification endpoint could not be reached")

    async def drain(self) -> None:
        """Wait for every notification in flight."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Finish what is in flight and close our own HTTP session."""
        await self.drain()
        if self._given is None and self._session is not None:
            await self._session.close()
