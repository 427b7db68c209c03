"""The outbox: the only way anything leaves confbot.

Every message passes the distribution guard of its conference's playbook, goes out from
the conference's own request mailbox, and leaves a record: sent, failed, or refused by
the guard. ``collecting()`` gathers the messages of one use case so they travel together
in one Graph ``$batch``; each message's ``after`` runs only once it has really gone, so
the timeline never claims an unsent message.

Each email has an idempotency key made from its conference, purpose, recipients and
revision, so a retry is the same message and a deliberate second one is not. Email goes
exactly once (``runtime/delivery.py``): a message whose send was unclear is looked up in
the sending mailbox before it is sent again, and a failed ``$batch`` item is retried alone.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Protocol

from bot.core.conference import Conference, Role
from bot.core.contacts import whose
from bot.core.errors import RemoteServiceError
from bot.core.mailbox import OutgoingMail, idempotency_key
from bot.core.playbook.distribution import DistributionItem
from bot.core.playbook.model import Playbook
from bot.runtime.delivery import (
    BACKOFF,
    STEP_PREFIX,
    UNCLEAR_WAIT,
    DeliveryLog,
    MailDelivery,
    Note,
    Outgoing,
)
from bot.runtime.guard import DistributionGuard, DistributionRefused
from bot.runtime.ports import GraphPort

logger = logging.getLogger(__name__)

EMAIL = "email"


class MailNotSent(RemoteServiceError):
    """Some mails of a batch did not go; the ones that did are on the timeline."""

    def __init__(self, failed: int, total: int) -> None:
        super().__init__(f"{failed} of {total} emails were not sent")


class MessageChannel(Protocol):
    """A way out other than Graph mail (a text-message service, say); registered by name."""

    async def send_message(self, sender: str, mail: OutgoingMail) -> None:
        """Deliver one message; raise on failure (the outbox records it)."""


class OutboxLog(DeliveryLog, Protocol):
    """Where the outbox writes what it did (``bot.store.outbox.OutboxRecords``)."""

    def record(
        self,
        *,
        conference_id: int | None,
        channel: str,
        sender: str,
        purpose: str,
        recipients: Sequence[str],
        subject: str,
        state: str,
        detail: str = "",
    ) -> None:
        """Append one record."""


@dataclass(frozen=True, slots=True)
class _Queued:
    conference_id: int | None
    sender: str
    mail: OutgoingMail
    after: Callable[[], object] | None
    channel: str = EMAIL
    recipients: str = "council staff"  # in words, for the timeline

    def outgoing(self) -> Outgoing:
        return Outgoing(self.conference_id, self.sender, self.mail, self.after, self.recipients)


def recipients_in_words(
    conference: Conference | None, mail: OutgoingMail, roles: Mapping[str, Role]
) -> str:
    """Who a message is to, in words for the timeline ("Mother and Chair"), never an address."""
    people = (
        {p.email.casefold(): p for p in conference.participants if p.email} if conference else {}
    )
    names: list[str] = []
    for address in (*mail.to, *mail.cc):
        person = people.get(address.casefold())
        if person is not None:
            names.append(whose(person))
        elif address in roles:
            names.append(roles[address].value.replace("_", " ").capitalize())
        else:
            names.append("council staff")
    names = list(dict.fromkeys(names)) or ["no one"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(slots=True)
class _Batch:
    """The mails of one ``collecting()`` block; closed once the block has ended."""

    items: list[_Queued]
    open: bool = True


# A task or callback made inside a block copies this context and may outlive the block: a
# closed batch is never joined, or its mail would wait for a send that has already happened.
_batch: ContextVar[_Batch | None] = ContextVar("confbot_outbox_batch", default=None)


class Outbox:
    """Guards, sends and records every outgoing email."""

    def __init__(
        self,
        graph: GraphPort,
        log: OutboxLog,
        playbook_of: Callable[[Conference], Playbook],
        default_sender: str,
        channels: Mapping[str, MessageChannel] | None = None,
        *,
        note: Note | None = None,
        unclear_wait: timedelta = UNCLEAR_WAIT,
        backoff: timedelta = BACKOFF,
    ) -> None:
        self.graph = graph
        self.log = log
        self.playbook_of = playbook_of
        self.default_sender = default_sender
        # Email goes through Graph (and may travel in a $batch); any other channel is named here.
        self.channels = dict(channels or {})
        self.note = note
        self.delivery = MailDelivery(
            graph, log, self._record_item, note, unclear_wait=unclear_wait, backoff=backoff
        )

    def sender_of(self, conference: Conference) -> str:
        """The mailbox a conference's mail comes from: the one its request came in by."""
        return conference.mailbox or self.default_sender

    async def send(
        self,
        conference: Conference,
        mail: OutgoingMail,
        roles: Mapping[str, Role],
        *,
        may_carry_link: bool,
        items: Sequence[DistributionItem] | None = None,
        after: Callable[[], object] | None = None,
        channel: str = EMAIL,
    ) -> None:
        """Send one message about ``conference`` to people whose roles the guard checks."""
        if channel != EMAIL and channel not in self.channels:
            raise ValueError(f"no message channel {channel!r} is configured")
        sender = self.sender_of(conference)
        guard = DistributionGuard(self.playbook_of(conference))
        try:
            guard.check(conference, mail, roles, may_carry_link=may_carry_link, items=items)
        except DistributionRefused as err:
            self._record(conference.id, sender, mail, "refused", str(err), channel)
            raise
        keyed = self._keyed(conference.id, mail)
        words = recipients_in_words(conference, mail, roles)
        queued = _Queued(conference.id, sender, keyed, after, channel, words)
        batch = _batch.get()
        if batch is not None and batch.open and channel == EMAIL:
            batch.items.append(queued)
            return
        await self._send_one(queued)

    async def send_to_staff(self, sender: str, mail: OutgoingMail) -> None:
        """Send a notice to council staff about mail that is not a conference yet.

        Such as the duty chair's notice of a threshold discussion. With no conference there
        is no playbook to judge documents by, so the notice may carry none; it is recorded
        like every other message.
        """
        if mail.attachments:
            self._record(None, sender, mail, "refused", "a staff notice carries no documents")
            raise DistributionRefused("a notice outside a conference may not carry documents")
        await self._send_one(_Queued(None, sender, self._keyed(None, mail), None))

    @staticmethod
    def _keyed(conference_id: int | None, mail: OutgoingMail) -> OutgoingMail:
        """The mail with its idempotency key; a mail with no purpose has none to go by."""
        if not mail.purpose:
            return mail
        key = idempotency_key(conference_id, mail.purpose, (*mail.to, *mail.cc), mail.revision)
        return replace(mail, key=key)

    async def _send_one(self, queued: _Queued) -> None:
        if queued.channel == EMAIL and queued.mail.key:
            await self.delivery.one(queued.outgoing())
            return
        try:
            if queued.channel == EMAIL:
                await self.graph.send_mail(queued.sender, queued.mail)
            else:
                await self.channels[queued.channel].send_message(queued.sender, queued.mail)
        except Exception as err:
            self._record(
                queued.conference_id,
                queued.sender,
                queued.mail,
                "failed",
                type(err).__name__,
                queued.channel,
            )
            self._failed_line(queued, err)
            raise
        self._sent(queued)

    def _failed_line(self, queued: _Queued, err: Exception) -> None:
        """Put a message that did not go on its conference's timeline, for the status page."""
        if self.note is None or queued.conference_id is None:
            return
        email = queued.channel == EMAIL
        what = "Email" if email else f"{queued.channel.upper()} message"
        words = f"{what} to {queued.recipients} not sent: {type(err).__name__}"
        prefix = STEP_PREFIX if email else f"{queued.channel}:"
        self.note(
            queued.conference_id,
            "failed",
            f"{prefix}{queued.mail.purpose or queued.channel}",
            {"words": words, "reason": words, "purpose": queued.mail.purpose},
        )

    def _sent(self, queued: _Queued) -> None:
        self._record(queued.conference_id, queued.sender, queued.mail, "sent", "", queued.channel)
        if queued.after is not None:
            queued.after()

    def _record_item(self, item: Outgoing, state: str, detail: str) -> None:
        self._record(item.conference_id, item.sender, item.mail, state, detail)

    def _record(
        self,
        conference_id: int | None,
        sender: str,
        mail: OutgoingMail,
        state: str,
        detail: str = "",
        channel: str = EMAIL,
    ) -> None:
        self.log.record(
            conference_id=conference_id,
            channel=channel,
            sender=sender,
            purpose=mail.purpose,
            recipients=(*mail.to, *mail.cc),
            subject=mail.subject,
            state=state,
            detail=detail,
        )

    @contextlib.asynccontextmanager
    async def collecting(self) -> AsyncIterator[None]:
        """Send every mail of the block together, in as few Graph requests as possible."""
        outer = _batch.get()
        if outer is not None and outer.open:  # already collecting: the outer block sends
            yield
            return
        batch = _Batch([])
        token = _batch.set(batch)
        try:
            yield
        finally:
            batch.open = False
            _batch.reset(token)
        if len(batch.items) == 1:
            await self._send_one(batch.items[0])
        elif batch.items:
            await self._send_batch(batch.items)

    async def _send_batch(self, batch: list[_Queued]) -> None:
        keyed = [q for q in batch if q.mail.key]
        failed = await self.delivery.many([q.outgoing() for q in keyed])
        for queued in batch:
            if not queued.mail.key:  # no purpose, so no key: sent as before, alone
                try:
                    await self._send_one(queued)
                except Exception:
                    failed += 1
        if failed:
            raise MailNotSent(failed, len(batch))
