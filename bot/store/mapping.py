"""Rows to bot.core records and back: shared by the write side and the read side.

The repository's aggregates and ``bot.store.queries`` both map rows here, so neither
imports the other.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.conference import (
    CaseReference,
    Child,
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Participant,
    Role,
    TimelineEntry,
    TriageItem,
)
from bot.store.models import (
    ChildCaseReferenceRow,
    ChildRow,
    ConferenceRequestRow,
    ConferenceRow,
    DocumentRow,
    ParticipantRow,
    TimelineEntryRow,
    TriageItemRow,
)
from bot.store.records import NewChild, NewParticipant, StoredDocument, StoredRequest


def utcnow() -> datetime:
    """The time now, in UTC: the default clock."""
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """A stored time with its UTC zone put back."""
    # SQLite hands back naive datetimes; everything we store is UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def participant_row(new: NewParticipant) -> ParticipantRow:
    """The row for a new participant; the first address and number have their own columns."""
    emails, phones = new.every_email(), new.every_phone()
    return ParticipantRow(
        role=new.role.value,
        name=new.name,
        organisation=new.organisation,
        email=emails[0] if emails else None,
        phone=phones[0] if phones else None,
        held_back=new.held_back,
        relationship=new.relationship,
        postal_address=new.postal_address,
        extra_emails=list(emails[1:]),
        extra_phones=list(phones[1:]),
    )


def child_row(new: NewChild) -> ChildRow:
    """The row for a new child, with its case references."""
    row = ChildRow(
        initials=new.initials,
        date_of_birth=new.date_of_birth,
        unborn=new.unborn,
        expected_date=new.expected_date,
        gender=new.gender,
        legal_status=new.legal_status,
        own_email=new.own_email,
        own_phone=new.own_phone,
        contact_permission_noted=new.contact_permission_noted,
        advocate=new.advocate,
    )
    row.case_references = [
        ChildCaseReferenceRow(system=ref.system, reference=ref.reference, is_primary=ref.primary)
        for ref in new.case_references
    ]
    return row


def participant_of(row: ParticipantRow) -> Participant:
    """The record of a participant row."""
    return Participant(
        id=row.id,
        role=Role(row.role),
        name=row.name,
        organisation=row.organisation,
        email=row.email,
        phone=row.phone,
        held_back=row.held_back,
        relationship=row.relationship or "",
        postal_address=row.postal_address or "",
        emails=tuple(row.extra_emails or ()),
        phones=tuple(row.extra_phones or ()),
    )


def child_of(row: ChildRow) -> Child:
    """The record of a child row and its case references."""
    return Child(
        id=row.id,
        initials=row.initials,
        date_of_birth=row.date_of_birth,
        unborn=row.unborn,
        expected_date=row.expected_date,
        case_references=tuple(
            CaseReference(system=ref.system, reference=ref.reference, primary=ref.is_primary)
            for ref in row.case_references
        ),
        gender=row.gender or "",
        legal_status=row.legal_status or "",
        own_email=row.own_email,
        own_phone=row.own_phone,
        contact_permission_noted=row.contact_permission_noted,
        advocate=row.advocate or "",
    )


def conference_of(row: ConferenceRow, with_people: bool = True) -> Conference:
    """The record of a conference row; lists leave out people (no personal data in lists)."""
    return Conference(
        id=row.id,
        reference=row.reference,
        playbook=row.playbook,
        conference_type=ConferenceType(row.conference_type),
        state=ConferenceState(row.state),
        created_at=aware(row.created_at) or utcnow(),
        updated_at=aware(row.updated_at) or utcnow(),
        playbook_version=row.playbook_version,
        mailbox=row.mailbox,
        chair=row.chair,
        meeting_format=MeetingFormat(row.meeting_format) if row.meeting_format else None,
        start_at=aware(row.start_at),
        length=None if row.length_minutes is None else timedelta(minutes=row.length_minutes),
        confidential_length=(
            None
            if row.confidential_minutes is None
            else timedelta(minutes=row.confidential_minutes)
        ),
        strategy_discussion=row.strategy_discussion,
        event_id=row.event_id,
        join_url=row.join_url,
        facts=dict(row.facts or {}),
        participants=tuple(participant_of(p) for p in row.participants) if with_people else (),
        children=tuple(child_of(c) for c in row.children) if with_people else (),
    )


def triage_item(row: TriageItemRow, subject: str) -> TriageItem:
    """A triage record from its row and the subject of its email."""
    return TriageItem(
        id=row.id,
        request_id=row.request_id,
        reasons=tuple(row.reasons),
        state=row.state,
        created_at=aware(row.created_at) or row.created_at,
        subject=subject,
        resolved_at=aware(row.resolved_at),
        resolved_by=row.resolved_by,
        resolution=row.resolution,
        kind=row.kind or "request",
        draft=row.draft,
        problems=tuple(row.problems or ()),
        sources=dict(row.sources or {}),
        summary=row.summary or "",
        notified_at=aware(row.notified_at),
    )


def entry_of(row: TimelineEntryRow) -> TimelineEntry:
    """The record of a timeline row."""
    return TimelineEntry(
        id=row.id,
        conference_id=row.conference_id,
        at=aware(row.at) or utcnow(),
        actor=row.actor,
        kind=row.kind,
        step_id=row.step_id,
        detail=dict(row.detail or {}),
    )


def request_of(row: ConferenceRequestRow) -> StoredRequest:
    """The record of a request row."""
    return StoredRequest(
        id=row.id,
        message_id=row.message_id,
        received_at=aware(row.received_at) or row.received_at,
        sender=row.sender,
        subject=row.subject,
        body=row.body,
        body_type=row.body_type,
        outcome=row.outcome,
        conference_id=row.conference_id,
        mailbox=row.mailbox,
    )


def document_of(row: DocumentRow) -> StoredDocument:
    """The record of a document row, content included."""
    return StoredDocument(
        id=row.id,
        conference_id=row.conference_id,
        name=row.name,
        content_type=row.content_type,
        content=row.content,
        restricted=row.restricted,
        kind=row.kind,
        from_role=Role(row.from_role) if row.from_role else None,
        received_at=aware(row.received_at) or row.received_at,
    )
