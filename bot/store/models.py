"""Tables. Times are stored in UTC; personal data lives only in people, child and request rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    orm,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base with timezone-aware datetimes."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class ConferenceRequestRow(Base):
    """One email read from the request mailbox; it becomes a conference or a triage item."""

    __tablename__ = "conference_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Graph's immutable message id: the unique key that makes replays harmless.
    message_id: Mapped[str] = mapped_column(String(512), unique=True)
    internet_message_id: Mapped[str] = mapped_column(String(998), default="")
    mailbox: Mapped[str] = mapped_column(String(320))
    received_at: Mapped[datetime]
    sender: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_type: Mapped[str] = mapped_column(String(8), default="text")
    outcome: Mapped[str] = mapped_column(String(32), default="pending")  # parsed|triage|attached
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conference.id"), default=None)
    created_at: Mapped[datetime]


class ConferenceRow(Base):
    """A conference: what it is, where it is in its life, and its Teams meeting."""

    __tablename__ = "conference"
    __table_args__ = (
        Index("ix_conference_type_start", "conference_type", "start_at"),
        Index("ix_conference_playbook", "playbook"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    playbook: Mapped[str] = mapped_column(String(128))
    # The content hash of the playbook text it was booked under (see PlaybookVersionRow).
    playbook_version: Mapped[str | None] = mapped_column(String(64), default=None)
    # The request mailbox it came in by, and sends from.
    mailbox: Mapped[str | None] = mapped_column(String(320), default=None)
    conference_type: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(32), index=True)
    chair: Mapped[str | None] = mapped_column(String(320), default=None, index=True)
    meeting_format: Mapped[str | None] = mapped_column(String(32), default=None)
    start_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    length_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    confidential_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    strategy_discussion: Mapped[date | None] = mapped_column(Date, default=None)
    event_id: Mapped[str | None] = mapped_column(String(512), default=None)
    join_url: Mapped[str | None] = mapped_column(Text, default=None)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    participants: Mapped[list[ParticipantRow]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="ParticipantRow.id"
    )
    children: Mapped[list[ChildRow]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="ChildRow.id"
    )


class ParticipantRow(Base):
    """Someone taking part in a conference, with how to reach them."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(256))
    organisation: Mapped[str] = mapped_column(String(256), default="")
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    held_back: Mapped[bool] = mapped_column(Boolean, default=False)
    # To the child, for family ("mother", "foster carer"); never kept in organisation.
    relationship: Mapped[str] = mapped_column(String(128), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    # Addresses and numbers after the first, which stay in email and phone.
    extra_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra_phones: Mapped[list[str]] = mapped_column(JSON, default=list)

    # orm.relationship: the column above shadows the bare name inside this class body.
    conference: Mapped[ConferenceRow] = orm.relationship(back_populates="participants")


class ChildRow(Base):
    """A child a conference is about, by initials only: never the full name."""

    __tablename__ = "child"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    initials: Mapped[str] = mapped_column(String(32))
    date_of_birth: Mapped[date | None] = mapped_column(Date, default=None)
    unborn: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_date: Mapped[date | None] = mapped_column(Date, default=None)
    gender: Mapped[str] = mapped_column(String(64), default="")
    legal_status: Mapped[str] = mapped_column(String(128), default="")
    own_email: Mapped[str | None] = mapped_column(String(320), default=None)
    own_phone: Mapped[str | None] = mapped_column(String(32), default=None)
    contact_permission_noted: Mapped[bool] = mapped_column(Boolean, default=False)
    advocate: Mapped[str] = mapped_column(String(256), default="")

    conference: Mapped[ConferenceRow] = relationship(back_populates="children")
    case_references: Mapped[list[ChildCaseReferenceRow]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="ChildCaseReferenceRow.id"
    )


class ChildCaseReferenceRow(Base):
    """A child's reference in one of the council's systems; one may be the case system's."""

    __tablename__ = "child_case_reference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    system: Mapped[str] = mapped_column(String(64), default="")
    # Indexed: an RCPC request is matched to its child's earlier conference by reference.
    reference: Mapped[str] = mapped_column(String(128), index=True)
    # "is_primary", not "primary": PRIMARY is a reserved word in SQL.
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    child: Mapped[ChildRow] = relationship(back_populates="case_references")


class TimelineEntryRow(Base):
    """An append-only audit line: what happened to a conference, when, and who did it."""

    __tablename__ = "timeline_entry"
    __table_args__ = (
        Index("ix_timeline_conference_at", "conference_id", "at"),
        Index("ix_timeline_kind_at", "kind", "at"),
        Index("ix_timeline_conference_step", "conference_id", "step_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(256), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TriageItemRow(Base):
    """A request confbot could not read fully, kept with its reasons until a person resolves it."""

    __tablename__ = "triage_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("conference_request.id"), unique=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(320), default=None)
    resolution: Mapped[str | None] = mapped_column(Text, default=None)
    # What was read, so a person corrects a field rather than retyping the email.
    kind: Mapped[str] = mapped_column(String(16), default="request", server_default="request")
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    problems: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, default=None)
    sources: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When the duty chair was emailed about a threshold discussion; None until then.
    notified_at: Mapped[datetime | None] = mapped_column(default=None)


class SyncStateRow(Base):
    """Small durable key/value state, such as a mailbox's Graph delta link."""

    __tablename__ = "sync_state"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(256))
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class DocumentRow(Base):
    """A report or other document received for a conference, kept for packs and the record."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conference.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("conference_request.id"), default=None
    )
    name: Mapped[str] = mapped_column(String(256))
    content_type: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # Police or third-party material: never emailed, never in a parents' or GP's pack.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(32), default="report")
    from_role: Mapped[str | None] = mapped_column(String(32), default=None)
    received_at: Mapped[datetime]


class PlaybookVersionRow(Base):
    """One version of a playbook, by the hash of its text: conferences keep the one booked."""

    __tablename__ = "playbook_version"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    text: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime]


class OutboxRow(Base):
    """One message that left confbot (or failed to): the record the outbox keeps of every send."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_conference_purpose", "conference_id", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conference.id"), default=None)
    channel: Mapped[str] = mapped_column(String(16))  # email, teams, ...
    sender: Mapped[str] = mapped_column(String(320))
    purpose: Mapped[str] = mapped_column(String(256))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16))  # sent | failed | refused
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class OutboxDeliveryRow(Base):
    """Where one message stands, by its idempotency key: the outbox's exactly-once record.

    ``sending`` is written (and committed) before each attempt, so a crash or an answer lost
    leaves it there; ``unclear`` is an error answer after which the message may have gone.
    Either way the outbox asks the mailbox whether it went before it sends again. ``sent``
    and ``not_sent`` are certain.
    """

    __tablename__ = "outbox_delivery"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conference.id"), default=None)
    sender: Mapped[str] = mapped_column(String(320))
    purpose: Mapped[str] = mapped_column(String(256))
    state: Mapped[str] = mapped_column(String(16))  # sending | unclear | sent | not_sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_attempt_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime]
