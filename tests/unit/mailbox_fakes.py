"""Fakes for the mailbox tests: a clock that moves only when told, and a Graph port in memory."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.errors import RemoteServiceError
from bot.core.mailbox import DeltaResult, InboundMessage, Subscription

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CP = "cp.requests@example.org"
LAC = "lac.reviews@example.org"


class FakeClock:
    """Tells the time it is given; ``advance`` moves it on."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


class FakeState(dict[str, str]):
    """The repository's small key-value store, in a dict."""

    def get_state(self, key: str) -> str | None:
        return self.get(key)

    def set_state(self, key: str, value: str) -> None:
        self[key] = value

    def setdefault_state(self, key: str, value: str) -> str:
        return self.setdefault(key, value)


@dataclass
class FakeGraph:
    """Each mailbox's unread mail, delta links that count reads, and subscriptions."""

    clock: FakeClock = field(default_factory=FakeClock)
    inboxes: dict[str, list[InboundMessage]] = field(default_factory=dict)
    reads: asyncio.Queue[tuple[str, str | None]] = field(default_factory=asyncio.Queue)
    created: list[Subscription] = field(default_factory=list)
    renewed: list[tuple[str, datetime]] = field(default_factory=list)
    fail_reads: int = 0
    fail_renewals: bool = False
    _links: int = 0

    def deliver(self, mailbox: str, *messages: InboundMessage) -> None:
        """New mail arrives in ``mailbox``."""
        self.inboxes.setdefault(mailbox, []).extend(messages)

    async def read_inbox_delta(self, mailbox: str, delta_link: str | None) -> DeltaResult:
        self.reads.put_nowait((mailbox, delta_link))
        if self.fail_reads:
            self.fail_reads -= 1
            raise RemoteServiceError("Graph is unavailable")
        self._links += 1
        messages = self.inboxes.pop(mailbox, [])
        return DeltaResult(messages, [], f"https://graph.test/delta/{mailbox}/{self._links}")

    async def create_subscription(
        self, mailbox: str, notification_url: str, client_state: str, expires_at: datetime
    ) -> Subscription:
        created = Subscription(
            id=f"sub-{len(self.created) + 1}",
            resource=f"users/{mailbox}/mailFolders('inbox')/messages",
            notification_url=notification_url,
            expires_at=expires_at,
            client_state=client_state,
        )
        self.created.append(created)
        return created

    async def renew_subscription(self, subscription_id: str, expires_at: datetime) -> Subscription:
        self.renewed.append((subscription_id, expires_at))
        if self.fail_renewals:
            raise RemoteServiceError("subscription not found")
        return Subscription(subscription_id, "", "", expires_at)


def message(n: int, *, minutes: int = 0, sender: str = "worker@example.org") -> InboundMessage:
    """A request email, ``minutes`` after NOW."""
    return InboundMessage(
        id=f"msg-{n}",
        internet_message_id=f"<{n}@example.org>",
        received_at=NOW + timedelta(minutes=minutes),
        sender=sender,
        subject=f"Conference request {n}",
        body="Please book a conference.",
        body_type="text",
    )
