"""Reading the request mailboxes: one delta sweep and one subscription per mailbox.

A notification only wakes its mailbox's sweep; the sweep reads by delta and hands each
message on, and the handler records it by its immutable id, so a lost or repeated
notification never loses or repeats a request. A sweep that fails for a temporary reason
(Graph throttled, unavailable or silent) is tried again within seconds, backing off, rather
than at the next safety-net round minutes later.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.core.mailbox import DeltaResult, InboundMessage, RequestMailbox, Subscription
from bot.runtime.backoff import Backoff, is_temporary, retry_after

logger = logging.getLogger(__name__)

# Graph lets a mail subscription live a little under 3 days (4,230 minutes); renew at half.
SUBSCRIPTION_LIFETIME = timedelta(minutes=4200)
RENEW_BEFORE = timedelta(hours=36)
RETRY_SUBSCRIPTION = timedelta(minutes=5)
MIN_RENEW_WAIT = timedelta(minutes=1)

# A failed sweep: about 1, 2, 4, ... seconds, then every 30 s at most, until one succeeds.
SWEEP_RETRY = Backoff(first=timedelta(seconds=1), longest=timedelta(seconds=30))

Handler = Callable[[InboundMessage, RequestMailbox], Awaitable[object]]
Duty = Callable[[], Coroutine[Any, Any, None]]
Sleep = Callable[[float], Awaitable[None]]


class StateStore(Protocol):
    """Small named values kept across restarts (the repository has these)."""

    def get_state(self, key: str) -> str | None:
        """The stored value, or None."""

    def set_state(self, key: str, value: str) -> None:
        """Store or replace a value."""

    def setdefault_state(self, key: str, value: str) -> str:
        """The stored value, storing ``value`` first if there is none; race-free."""


class MailboxGraph(Protocol):
    """The part of the Graph port that reading a mailbox needs."""

    def read_inbox_delta(self, mailbox: str, delta_link: str | None) -> Awaitable[DeltaResult]:
        """Changes to the inbox since ``delta_link`` (everything when None)."""

    def create_subscription(
        self, mailbox: str, notification_url: str, client_state: str, expires_at: datetime
    ) -> Awaitable[Subscription]:
        """Ask Graph to notify us of new mail."""

    def renew_subscription(
        self, subscription_id: str, expires_at: datetime
    ) -> Awaitable[Subscription]:
        """Extend a subscription."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MailboxSweep:
    """Reads one mailbox's new mail by delta and hands each message on, in arrival order."""

    def __init__(
        self,
        graph: MailboxGraph,
        state: StateStore,
        mailbox: RequestMailbox,
        handle: Handler,
        clock: Callable[[], datetime] = _utcnow,
        retry: Backoff = SWEEP_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.graph = graph
        self.state = state
        self.mailbox = mailbox
        self.handle = handle
        self.clock = clock
        self.retry = retry
        self._sleep = sleep
        self.wake = asyncio.Event()
        self.last_sweep: datetime | None = None
        self.last_notification: datetime | None = None
        self.last_error: str | None = None
        self.failures = 0  # failed sweeps in a row; one that read new mail first counts as 1
        self._failure: BaseException | None = None
        self._read: set[str] = set()  # messages handled since the last whole sweep
        self._lock = asyncio.Lock()

    @property
    def address(self) -> str:
        """The mailbox this sweep reads."""
        return self.mailbox.address

    @property
    def _key(self) -> str:
        return f"delta:{self.address}"

    async def sweep(self) -> int:
        """Read everything new; the delta link is saved only after every message is handled."""
        async with self._lock:
            link = self.state.get_state(self._key)
            result = await self.graph.read_inbox_delta(self.address, link)
            for message in sorted(result.messages, key=lambda m: (m.received_at, m.id)):
                await self.handle(message, self.mailbox)
                self._read.add(message.id)
            self.state.set_state(self._key, result.delta_link)
            self.last_sweep = self.clock()
            self.last_error = None
            self.failures = 0
            self._failure = None
            self._read.clear()
            return len(result.messages)

    def notified(self) -> None:
        """Graph says new mail arrived: sweep now."""
        self.last_notification = self.clock()
        self.wake.set()

    async def attempt(self) -> int | None:
        """Sweep once; a failure is kept in ``last_error`` for the status page, not raised."""
        before = len(self._read)
        try:
            return await self.sweep()
        except Exception as err:  # Graph down, throttled, ...: ``run`` says when to retry
            # A sweep that read new messages before it failed was progress: its retry
            # starts the back-off again, so a busy mailbox under faults is not slowed down.
            self.failures = 1 if len(self._read) > before else self.failures + 1
            self._failure = err
            self.last_error = type(err).__name__
            logger.warning("mailbox sweep failed: %s", type(err).__name__)
            return None

    def retry_in(self, interval: timedelta) -> timedelta | None:
        """How soon to sweep again after the last failure; None to wait for the next round.

        A temporary failure backs off from about a second, and honours ``Retry-After``; the
        wait never passes ``interval`` unless Graph asked for longer. Anything else (a
        refusal, a fault of ours) would fail again at once, so it waits ``interval``.
        """
        err = self._failure
        if err is None or not is_temporary(err):
            return None
        asked = retry_after(err)
        wait = self.retry.delay(self.failures, asked)
        return max(min(wait, interval), asked or timedelta(0))

    async def run(self, interval: timedelta) -> None:
        """Sweep at start, on every notification, and every ``interval`` as the safety net;
        after a temporary failure, sooner (see ``retry_in``)."""
        while True:
            self.wake.clear()
            if await self.attempt() is None and (wait := self.retry_in(interval)) is not None:
                # Not cut short by a notification: the retry reads that mail too, and a
                # Retry-After must be waited out.
                logger.info(
                    "mailbox sweep retrying in %.1fs",
                    wait.total_seconds(),
                    extra={"failures": self.failures},
                )
                await self._sleep(wait.total_seconds())
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), interval.total_seconds())


def client_state_for(state: StateStore, mailbox: str) -> str:
    """The secret Graph echoes in every notification for ``mailbox``; made once, then kept."""
    key = f"client-state:{mailbox}"
    stored = state.get_state(key)
    if stored is None:
        # Two replicas starting together must not keep different secrets: the first one
        # written wins, and both read it back.
        stored = state.setdefault_state(key, secrets.token_urlsafe(24))
    return stored


class MailSubscription:
    """Keeps one Graph change-notification subscription on a mailbox's inbox alive."""

    def __init__(
        self,
        graph: MailboxGraph,
        state: StateStore,
        mailbox: str,
        notification_url: str,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.graph = graph
        self.state = state
        self.mailbox = mailbox
        self.url = notification_url
        self.clock = clock
        self.client_state = client_state_for(state, mailbox)

    @property
    def _key(self) -> str:
        return f"subscription:{self.mailbox}"

    async def ensure(self) -> datetime:
        """Create or renew the subscription; returns when it expires."""
        current = self.state.get_state(self._key)
        expires = self.clock() + SUBSCRIPTION_LIFETIME
        if current:
            sub_id, _, until = current.partition("|")
            if datetime.fromisoformat(until) - self.clock() > RENEW_BEFORE:
                return datetime.fromisoformat(until)
            try:
                renewed = await self.graph.renew_subscription(sub_id, expires)
                return self._keep(renewed)
            except Exception:  # gone or expired: make a new one
                logger.info("subscription renewal failed; creating a new one")
        created = await self.graph.create_subscription(
            self.mailbox, self.url, self.client_state, expires
        )
        return self._keep(created)

    def _keep(self, subscription: Subscription) -> datetime:
        self.state.set_state(self._key, f"{subscription.id}|{subscription.expires_at.isoformat()}")
        return subscription.expires_at

    def next_check(self, until: datetime) -> timedelta:
        """How long to wait before renewing a subscription that lasts ``until``."""
        return max(MIN_RENEW_WAIT, until - self.clock() - RENEW_BEFORE)

    async def run(self) -> None:
        """Keep the subscription alive; a failure is retried in a few minutes."""
        while True:
            try:
                wait = self.next_check(await self.ensure())
            except Exception as err:
                logger.warning("mail subscription failed: %s", type(err).__name__)
                wait = RETRY_SUBSCRIPTION
            await asyncio.sleep(wait.total_seconds())


@dataclass(frozen=True, slots=True)
class MailboxHealth:
    """What the status page shows for one mailbox."""

    address: str
    last_sweep: datetime | None
    last_notification: datetime | None
    last_error: str | None


class Mailboxes:
    """Every request mailbox's sweep and subscription, and the routing of Graph's notifications.

    ``last_sweep`` and ``last_notification`` summarise them all for the health strip: the
    stalest sweep (None while any mailbox is unread) and the latest notification.
    """

    def __init__(
        self,
        graph: MailboxGraph,
        state: StateStore,
        mailboxes: Sequence[RequestMailbox],
        handle: Handler,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        addresses = [m.address.casefold() for m in mailboxes]
        if len(set(addresses)) != len(addresses):  # they would share one delta link
            raise ValueError("each request mailbox may be read by one sweep only")
        self.graph = graph
        self.state = state
        self.clock = clock
        self.sweeps = tuple(MailboxSweep(graph, state, m, handle, clock) for m in mailboxes)
        # Made (or read) now, so the webhook can route before the subscriptions start.
        self._by_client_state = tuple(
            (client_state_for(state, sweep.address), sweep) for sweep in self.sweeps
        )

    def subscriptions(self, notification_url: str) -> tuple[MailSubscription, ...]:
        """One subscription per mailbox, each posting to ``notification_url``."""
        return tuple(
            MailSubscription(self.graph, self.state, sweep.address, notification_url, self.clock)
            for sweep in self.sweeps
        )

    def duties(self, sweep_interval: timedelta, notification_url: str) -> list[tuple[str, Duty]]:
        """The leader's background loops: a sweep and a subscription per mailbox.

        Named by position (as in ``CONFBOT_MAILBOXES[n]``), since task names reach the logs
        and an address must not.
        """
        duties: list[tuple[str, Duty]] = []
        for n, (sweep, subscription) in enumerate(
            zip(self.sweeps, self.subscriptions(notification_url), strict=True)
        ):
            duties.append((f"mailbox-sweep[{n}]", _sweeping(sweep, sweep_interval)))
            duties.append((f"mail-subscription[{n}]", subscription.run))
        return duties

    def notify(self, client_state: str) -> bool:
        """Wake the sweep whose subscription carries ``client_state``; False if none does."""
        found = False
        for expected, sweep in self._by_client_state:
            # Compare every one, in constant time: the webhook is open to anyone.
            if hmac.compare_digest(client_state.encode(), expected.encode()):
                sweep.notified()
                found = True
        return found

    def health(self) -> tuple[MailboxHealth, ...]:
        """Each mailbox's last sweep, last notification and last error, in configured order."""
        return tuple(
            MailboxHealth(s.address, s.last_sweep, s.last_notification, s.last_error)
            for s in self.sweeps
        )

    @property
    def last_sweep(self) -> datetime | None:
        """The stalest mailbox's last sweep; None until every mailbox has been read once."""
        times = [s.last_sweep for s in self.sweeps]
        if not times or any(t is None for t in times):
            return None
        return min(t for t in times if t is not None)

    @property
    def last_notification(self) -> datetime | None:
        """The latest notification for any mailbox."""
        return max((s.last_notification for s in self.sweeps if s.last_notification), default=None)


def _sweeping(sweep: MailboxSweep, interval: timedelta) -> Duty:
    async def run() -> None:
        await sweep.run(interval)

    return run
