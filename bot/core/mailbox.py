"""Mail as the domain sees it: what arrives in the request mailbox and what confbot sends."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a message; ``content`` is the raw bytes."""

    name: str
    content_type: str
    content: bytes
    restricted: bool = False  # police or third-party material: never leaves by email


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message read from the request mailbox."""

    id: str  # Graph's immutable id: stable across moves, so replays de-duplicate on it
    internet_message_id: str
    received_at: datetime  # UTC
    sender: str  # address
    subject: str
    body: str
    body_type: str  # "text" or "html"
    attachments: tuple[Attachment, ...] = ()
    sender_name: str = ""
    conversation_id: str = ""
    categories: tuple[str, ...] = ()  # Outlook categories, as read; confbot marks its own
    # Copied-in people as (name, address): a request names "my manager (cc'd)" this way.
    cc: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """A message confbot sends; every one passes the distribution guard first."""

    to: tuple[str, ...]
    subject: str
    html_body: str
    cc: tuple[str, ...] = ()
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # Why this mail exists: the timeline step or action that produced it, for the audit trail.
    purpose: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # Tells a deliberate second message with the same purpose and recipients (a letter sent
    # again on request, a notice about another request) from a retry of the first.
    revision: str = ""
    # The outbox's idempotency key, carried by the sent message so Sent Items can be asked
    # whether it went; set by the outbox, never by a use case.
    key: str = ""


def idempotency_key(
    conference_id: int | None, purpose: str, recipients: Iterable[str], revision: str = ""
) -> str:
    """The key of one message: conference, purpose, recipients and revision; a retry has the same.

    Hashed, so the key a mailbox keeps names no one: recipients' addresses never leave in it.
    """
    people = ",".join(sorted({address.strip().casefold() for address in recipients}))
    text = "\n".join((str(conference_id or ""), purpose, people, revision))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class DeltaResult:
    """One read of a mailbox folder's changes since the stored delta link."""

    messages: list[InboundMessage]
    removed_ids: list[str]
    delta_link: str  # store it; the next read passes it back
    resynced: bool = False  # the old link had expired, so this is a full re-read


@dataclass(frozen=True, slots=True)
class Subscription:
    """A change-notification subscription on a mailbox folder."""

    id: str
    resource: str
    notification_url: str
    expires_at: datetime  # UTC; renew well before this
    client_state: str = ""


@dataclass(frozen=True, slots=True)
class RequestMailbox:
    """One request mailbox and the playbook its requests are booked under.

    ``playbook`` takes every request; ``by_type`` picks one by conference type instead
    (child protection types to one playbook, looked-after reviews to another), falling
    back to ``playbook`` for a type it does not name.
    """

    address: str
    playbook: str | None = None
    by_type: tuple[tuple[str, str], ...] = ()  # (conference type, playbook name)

    def playbook_for(self, conference_type: str) -> str | None:
        """The playbook a request of ``conference_type`` goes to, or None if none takes it."""
        for kind, name in self.by_type:
            if kind == conference_type:
                return name
        return self.playbook

    @property
    def playbooks(self) -> tuple[str, ...]:
        """Every playbook this mailbox can book under, each once."""
        names = [name for _kind, name in self.by_type]
        if self.playbook:
            names.append(self.playbook)
        return tuple(dict.fromkeys(names))
