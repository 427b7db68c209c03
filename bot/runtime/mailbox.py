"""Reading the request mailbox: a delta sweep on an interval and whenever Graph notifies us.

The notification only wakes the sweep; the sweep reads by delta and records each message
by its immutable id, so a lost or repeated notification never loses or repeats a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.core.mailbox import InboundMessage
from bot.runtime.ports import GraphPort
from bot.store.repository import Repository

logger = logging.getLogger(__name__)

# Graph lets a mail subscription live a little under 3 days (4,230 minutes); renew at half.
SUBSCRIPTION_LIFETIME = timedelta(minutes=4200)
RENEW_BEFORE = timedelta(hours=36)


class MailboxSweep:
    """Reads new mail by delta and hands each message to the intake, in arrival order."""

    def __init__(
        self,
        graph: GraphPort,
        repository: Repository,
        intake: Callable[[InboundMessage], Awaitable[object]],
        mailbox: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.graph = graph
        self.repo = repository
        self.intake = intake
        self.mailbox = mailbox
        self.clock = clock
        self.wake = asyncio.Event()
        self.last_sweep: datetime | None = None
        self.last_notification: datetime | None = None
        self.last_error: str | None = None
        self._lock = asyncio.Lock()

    @property
    def _key(self) -> str:
        return f"delta:{self.mailbox}"

    async def sweep(self) -> int:
        """Read everything new; the delta link is saved only after every message is handled."""
        async with self._lock:
            link = self.repo.get_state(self._key)
            result = await self.graph.read_inbox_delta(self.mailbox, link)
            for message in sorted(result.messages, key=lambda m: (m.received_at, m.id)):
                await self.intake(message)
            self.repo.set_state(self._key, result.delta_link)
            self.last_sweep = self.clock()
            self.last_error = None
            return len(result.messages)

    def notified(self) -> None:
        """Graph says new mail arrived: sweep now."""
        self.last_notification = self.clock()
        self.wake.set()

    async def run(self, interval: timedelta) -> None:
        """Sweep at start, on every notification, and every ``interval`` as the safety net."""
        while True:
            self.wake.clear()
            try:
                await self.sweep()
            except Exception as err:  # Graph down, throttled, ...: try again next round
                self.last_error = type(err).__name__
                logger.warning("mailbox sweep failed: %s", type(err).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), interval.total_seconds())


def client_state_for(repository: Repository, mailbox: str) -> str:
    """The secret Graph echoes in every notification for ``mailbox``; made once, then kept."""
    key = f"client-state:{mailbox}"
    stored = repository.get_state(key)
    if stored is None:
        stored = secrets.token_urlsafe(24)
        repository.set_state(key, stored)
    return stored


class MailSubscription:
    """Keeps one Graph change-notification subscription on the inbox alive."""

    def __init__(
        self,
        graph: GraphPort,
        repository: Repository,
        mailbox: str,
        notification_url: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.graph = graph
        self.repo = repository
        self.mailbox = mailbox
        self.url = notification_url
        self.clock = clock
        self.client_state = client_state_for(repository, mailbox)

    async def ensure(self) -> datetime:
        """Create or renew the subscription; returns when it expires."""
        key = f"subscription:{self.mailbox}"
        current = self.repo.get_state(key)
        expires = self.clock() + SUBSCRIPTION_LIFETIME
        graph = self.graph
        if current:
            sub_id, _, until = current.partition("|")
            if datetime.fromisoformat(until) - self.clock() > RENEW_BEFORE:
                return datetime.fromisoformat(until)
            try:
                renewed = await graph.renew_subscription(sub_id, expires)
                self.repo.set_state(key, f"{renewed.id}|{renewed.expires_at.isoformat()}")
                return renewed.expires_at
            except Exception:  # gone or expired: make a new one
                logger.info("subscription renewal failed; creating a new one")
        created = await graph.create_subscription(
            self.mailbox, self.url, self.client_state, expires
        )
        self.repo.set_state(key, f"{created.id}|{created.expires_at.isoformat()}")
        return created.expires_at

    async def run(self) -> None:
        """Keep the subscription alive; a failure is retried in a few minutes."""
        while True:
            try:
                until = await self.ensure()
                wait = max(60.0, (until - self.clock() - RENEW_BEFORE).total_seconds())
            except Exception as err:
                logger.warning("mail subscription failed: %s", type(err).__name__)
                wait = 300.0
            await asyncio.sleep(wait)
