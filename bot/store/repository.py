"""The repository: every read and write the service makes, returning bot.core records."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.core.conference import (
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Participant,
    Role,
    TimelineEntry,
    TriageItem,
)
from bot.core.errors import NotFound
from bot.core.reference import format_reference
from bot.store.database import Database
from bot.store.models import (
    ConferenceRequestRow,
    ConferenceRow,
    DocumentRow,
    ParticipantRow,
    SyncStateRow,
    TimelineEntryRow,
    TriageItemRow,
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _minutes(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class NewParticipant:
    """A participant to add to a new conference."""

    role: Role
    name: str
    organisation: str = ""
    email: str | None = None
    phone: str | None = None
    held_back: bool = False


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """A request email as recorded, with what became of it."""

    id: int
    message_id: str
    received_at: datetime
    sender: str
    subject: str
    body: str
    body_type: str
    outcome: str
    conference_id: int | None
    mailbox: str = ""


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document received for a conference."""

    id: int
    conference_id: int
    name: str
    content_type: str
    content: bytes
    restricted: bool
    kind: str
    from_role: Role | None
    received_at: datetime


def _participant(row: ParticipantRow) -> Participant:
    return Participant(
        id=row.id,
        role=Role(row.role),
        name=row.name,
        organisation=row.organisation,
        email=row.email,
        phone=row.phone,
        held_back=row.held_back,
    )


def _conference(row: ConferenceRow, with_participants: bool = True) -> Conference:
    return Conference(
        id=row.id,
        reference=row.reference,
        playbook=row.playbook,
        conference_type=ConferenceType(row.conference_type),
        state=ConferenceState(row.state),
        created_at=_aware(row.created_at) or _utcnow(),
        updated_at=_aware(row.updated_at) or _utcnow(),
        playbook_version=row.playbook_version,
        mailbox=row.mailbox,
        chair=row.chair,
        meeting_format=MeetingFormat(row.meeting_format) if row.meeting_format else None,
        start_at=_aware(row.start_at),
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
        participants=(
            tuple(_participant(p) for p in row.participants) if with_participants else ()
        ),
    )


def triage_item(row: TriageItemRow, subject: str) -> TriageItem:
    """A triage record from its row and the subject of its email."""
    return TriageItem(
        id=row.id,
        request_id=row.request_id,
        reasons=tuple(row.reasons),
        state=row.state,
        created_at=_aware(row.created_at) or row.created_at,
        subject=subject,
        resolved_at=_aware(row.resolved_at),
        resolved_by=row.resolved_by,
        resolution=row.resolution,
    )


def _entry(row: TimelineEntryRow) -> TimelineEntry:
    return TimelineEntry(
        id=row.id,
        conference_id=row.conference_id,
        at=_aware(row.at) or _utcnow(),
        actor=row.actor,
        kind=row.kind,
        step_id=row.step_id,
        detail=dict(row.detail or {}),
    )


class Repository:
    """Reads and writes over one Database. Methods are synchronous and short."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = database
        self.clock = clock

    # -- requests -------------------------------------------------------------------------

    def record_request(
        self,
        *,
        message_id: str,
        mailbox: str,
        received_at: datetime,
        sender: str,
        subject: str,
        body: str,
        body_type: str = "text",
        internet_message_id: str = "",
    ) -> tuple[StoredRequest, bool]:
        """Record a request email once; a replay returns the first record and ``False``."""
        existing = self.find_request(message_id)
        if existing is not None:
            return existing, False
        row = ConferenceRequestRow(
            message_id=message_id,
            internet_message_id=internet_message_id,
            mailbox=mailbox,
            received_at=received_at,
            sender=sender,
            subject=subject,
            body=body,
            body_type=body_type,
            created_at=self.clock(),
        )
        try:
            with self.db.session() as session:
                session.add(row)
        except IntegrityError:
            # Another replica or a replayed notification recorded it first.
            again = self.find_request(message_id)
            if again is None:
                raise
            return again, False
        return self._request(row), True

    def find_request(self, message_id: str) -> StoredRequest | None:
        """The request recorded for a Graph message id, if any."""
        with self.db.session() as session:
            row = session.scalar(
                select(ConferenceRequestRow).where(ConferenceRequestRow.message_id == message_id)
            )
            return None if row is None else self._request(row)

    def get_request(self, request_id: int) -> StoredRequest:
        """One request by id."""
        with self.db.session() as session:
            row = session.get(ConferenceRequestRow, request_id)
            if row is None:
                raise NotFound("request", request_id)
            return self._request(row)

    def set_request_outcome(
        self, request_id: int, outcome: str, conference_id: int | None = None
    ) -> None:
        """Record what became of a request: parsed, triage or attached."""
        with self.db.session() as session:
            row = session.get(ConferenceRequestRow, request_id)
            if row is None:
                raise NotFound("request", request_id)
            row.outcome = outcome
            row.conference_id = conference_id

    @staticmethod
    def _request(row: ConferenceRequestRow) -> StoredRequest:
        return StoredRequest(
            id=row.id,
            message_id=row.message_id,
            received_at=_aware(row.received_at) or row.received_at,
            sender=row.sender,
            subject=row.subject,
            body=row.body,
            body_type=row.body_type,
            outcome=row.outcome,
            conference_id=row.conference_id,
            mailbox=row.mailbox,
        )

    # -- conferences ----------------------------------------------------------------------

    def create_conference(
        self,
        *,
        playbook: str,
        conference_type: ConferenceType,
        participants: Iterable[NewParticipant] = (),
        state: ConferenceState = ConferenceState.REQUESTED,
        strategy_discussion: date | None = None,
        chair: str | None = None,
        facts: dict[str, Any] | None = None,
        request_id: int | None = None,
        playbook_version: str | None = None,
        mailbox: str | None = None,
    ) -> Conference:
        """Create a conference with its participants and give it a reference.

        With ``request_id``, the request is marked parsed in the same transaction, and a
        request that already became a conference returns that one: a crash between the
        two can never leave a request with two conferences, or none.
        """
        now = self.clock()
        with self.db.session() as session:
            request: ConferenceRequestRow | None = None
            if request_id is not None:
                request = session.get(ConferenceRequestRow, request_id, with_for_update=True)
                if request is None:
                    raise NotFound("request", request_id)
                if request.conference_id is not None:
                    existing = session.get(ConferenceRow, request.conference_id)
                    if existing is not None:
                        return _conference(existing)
            row = ConferenceRow(
                reference=f"pending-{uuid.uuid4().hex[:20]}",  # replaced below
                playbook=playbook,
                playbook_version=playbook_version,
                mailbox=mailbox,
                conference_type=conference_type.value,
                state=state.value,
                chair=chair,
                strategy_discussion=strategy_discussion,
                facts=facts or {},
                created_at=now,
                updated_at=now,
            )
            row.participants = [
                ParticipantRow(
                    role=p.role.value,
                    name=p.name,
                    organisation=p.organisation,
                    email=p.email,
                    phone=p.phone,
                    held_back=p.held_back,
                )
                for p in participants
            ]
            session.add(row)
            session.flush()
            # The id is unique across replicas, so the reference is too.
            row.reference = format_reference(now.year, row.id)
            if request is not None:
                request.outcome = "parsed"
                request.conference_id = row.id
            return _conference(row)

    def get_conference(self, conference_id: int) -> Conference:
        """One conference with its participants."""
        with self.db.session() as session:
            row = session.get(ConferenceRow, conference_id)
            if row is None:
                raise NotFound("conference", conference_id)
            return _conference(row)

    def find_conference(self, reference: str) -> Conference | None:
        """The conference with this reference, if any."""
        with self.db.session() as session:
            row = session.scalar(select(ConferenceRow).where(ConferenceRow.reference == reference))
            return None if row is None else _conference(row)

    def list_conferences(
        self,
        *,
        state: ConferenceState | None = None,
        chair: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Conference]:
        """Conferences, newest first, without participants (no personal data in lists)."""
        query = select(ConferenceRow).order_by(ConferenceRow.id.desc())
        if state is not None:
            query = query.where(ConferenceRow.state == state.value)
        if chair is not None:
            query = query.where(ConferenceRow.chair == chair)
        with self.db.session() as session:
            rows = session.scalars(query.limit(limit).offset(offset)).all()
            return [_conference(row, with_participants=False) for row in rows]

    def count_by_state(self) -> dict[ConferenceState, int]:
        """How many conferences are in each state."""
        with self.db.session() as session:
            rows = session.execute(
                select(ConferenceRow.state, func.count()).group_by(ConferenceRow.state)
            ).all()
        return {ConferenceState(state): count for state, count in rows}

    _PLAIN_FIELDS = frozenset(
        {"chair", "start_at", "strategy_discussion", "event_id", "join_url", "facts"}
    )

    def update_conference(self, conference_id: int, **changes: Any) -> Conference:
        """Change a conference's fields; enums and timedeltas are stored in plain form."""
        with self.db.session() as session:
            row = session.get(ConferenceRow, conference_id)
            if row is None:
                raise NotFound("conference", conference_id)
            for name, value in changes.items():
                if name in self._PLAIN_FIELDS:
                    setattr(row, name, value)
                elif name == "state":
                    row.state = ConferenceState(value).value
                elif name == "meeting_format":
                    row.meeting_format = None if value is None else MeetingFormat(value).value
                elif name == "length":
                    row.length_minutes = _minutes(value)
                elif name == "confidential_length":
                    row.confidential_minutes = _minutes(value)
                else:
                    raise TypeError(f"cannot update conference field {name!r}")
            row.updated_at = self.clock()
            session.flush()
            return _conference(row)

    def set_held_back(self, participant_ids: Sequence[int], held_back: bool) -> None:
        """Hold participants back from the invite, or release them."""
        with self.db.session() as session:
            for pid in participant_ids:
                row = session.get(ParticipantRow, pid)
                if row is None:
                    raise NotFound("participant", pid)
                row.held_back = held_back

    # -- timeline (append-only) -----------------------------------------------------------

    def append_timeline(
        self,
        conference_id: int,
        *,
        actor: str,
        kind: str,
        step_id: str | None = None,
        detail: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> TimelineEntry:
        """Add one line to the audit trail. There is no update or delete, by design."""
        row = TimelineEntryRow(
            conference_id=conference_id,
            at=at or self.clock(),
            actor=actor,
            kind=kind,
            step_id=step_id,
            detail=detail or {},
        )
        with self.db.session() as session:
            session.add(row)
            session.flush()
            return _entry(row)

    def timeline(self, conference_id: int) -> list[TimelineEntry]:
        """A conference's audit trail, oldest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(TimelineEntryRow)
                .where(TimelineEntryRow.conference_id == conference_id)
                .order_by(TimelineEntryRow.at, TimelineEntryRow.id)
            ).all()
            return [_entry(row) for row in rows]

    def has_step(self, conference_id: int, step_id: str, kind: str) -> bool:
        """Whether the timeline already records ``kind`` for a step: the idempotency check."""
        with self.db.session() as session:
            found = session.scalar(
                select(TimelineEntryRow.id)
                .where(TimelineEntryRow.conference_id == conference_id)
                .where(TimelineEntryRow.step_id == step_id)
                .where(TimelineEntryRow.kind == kind)
                .limit(1)
            )
            return found is not None

    def step_ids(self, conference_id: int, kinds: Sequence[str]) -> set[str]:
        """The step ids with a timeline entry of one of ``kinds``, in one query."""
        with self.db.session() as session:
            rows = session.scalars(
                select(TimelineEntryRow.step_id)
                .where(TimelineEntryRow.conference_id == conference_id)
                .where(TimelineEntryRow.kind.in_(kinds))
                .where(TimelineEntryRow.step_id.is_not(None))
            ).all()
        return {row for row in rows if row is not None}

    # -- triage ---------------------------------------------------------------------------

    def open_triage(self, request_id: int, reasons: Sequence[str]) -> TriageItem:
        """Put a request in the triage queue with the reasons it could not be read."""
        with self.db.session() as session:
            existing = session.scalar(
                select(TriageItemRow).where(TriageItemRow.request_id == request_id)
            )
            if existing is not None:
                return triage_item(existing, "")
            row = TriageItemRow(
                request_id=request_id, reasons=list(reasons), created_at=self.clock()
            )
            session.add(row)
            request = session.get(ConferenceRequestRow, request_id)
            if request is not None:
                request.outcome = "triage"
            session.flush()
            return triage_item(row, request.subject if request else "")

    def list_triage(self, state: str | None = "open") -> list[TriageItem]:
        """Triage items, oldest first, with the subject of their email."""
        query = (
            select(TriageItemRow, ConferenceRequestRow.subject)
            .join(ConferenceRequestRow, TriageItemRow.request_id == ConferenceRequestRow.id)
            .order_by(TriageItemRow.id)
        )
        if state is not None:
            query = query.where(TriageItemRow.state == state)
        with self.db.session() as session:
            return [triage_item(row, subject) for row, subject in session.execute(query).all()]

    def resolve_triage(self, item_id: int, *, by: str, resolution: str) -> TriageItem:
        """Close a triage item, recording who did it and how."""
        with self.db.session() as session:
            row = session.get(TriageItemRow, item_id)
            if row is None:
                raise NotFound("triage item", item_id)
            row.state = "resolved"
            row.resolved_by = by
            row.resolution = resolution
            row.resolved_at = self.clock()
            session.flush()
            return triage_item(row, "")

    # -- documents ------------------------------------------------------------------------

    def add_document(
        self,
        conference_id: int,
        *,
        name: str,
        content_type: str,
        content: bytes,
        restricted: bool,
        kind: str = "report",
        from_role: Role | None = None,
        request_id: int | None = None,
    ) -> StoredDocument:
        """Keep a document received for a conference."""
        row = DocumentRow(
            conference_id=conference_id,
            request_id=request_id,
            name=name,
            content_type=content_type,
            content=content,
            restricted=restricted,
            kind=kind,
            from_role=from_role.value if from_role else None,
            received_at=self.clock(),
        )
        with self.db.session() as session:
            session.add(row)
            session.flush()
            return self._document(row)

    def documents(self, conference_id: int) -> list[StoredDocument]:
        """A conference's documents, oldest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(DocumentRow)
                .where(DocumentRow.conference_id == conference_id)
                .order_by(DocumentRow.id)
            ).all()
            return [self._document(row) for row in rows]

    @staticmethod
    def _document(row: DocumentRow) -> StoredDocument:
        return StoredDocument(
            id=row.id,
            conference_id=row.conference_id,
            name=row.name,
            content_type=row.content_type,
            content=row.content,
            restricted=row.restricted,
            kind=row.kind,
            from_role=Role(row.from_role) if row.from_role else None,
            received_at=_aware(row.received_at) or row.received_at,
        )

    # -- small durable state --------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        """A stored value such as a mailbox delta link."""
        with self.db.session() as session:
            row = session.scalar(select(SyncStateRow).where(SyncStateRow.key == key))
            return None if row is None else row.value

    def set_state(self, key: str, value: str) -> None:
        """Store or replace a value."""
        with self.db.session() as session:
            row = session.scalar(select(SyncStateRow).where(SyncStateRow.key == key))
            if row is None:
                session.add(SyncStateRow(key=key, value=value, updated_at=self.clock()))
            else:
                row.value = value
                row.updated_at = self.clock()
