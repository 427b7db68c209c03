"""The records the web reads, one conference or request at a time: the read side's detail.

``StatusQueries`` (bot.store.queries) builds on this, so the web never needs the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func, select

from bot.core.conference import (
    Conference,
    ConferenceState,
    ConferenceType,
    Role,
    TimelineEntry,
    TriageItem,
)
from bot.core.errors import NotFound
from bot.store.database import Database
from bot.store.mapping import (
    aware,
    conference_of,
    entry_of,
    request_of,
    triage_item,
    utcnow,
)
from bot.store.models import (
    ChildCaseReferenceRow,
    ChildRow,
    ConferenceRequestRow,
    ConferenceRow,
    DocumentRow,
    TimelineEntryRow,
    TriageItemRow,
)
from bot.store.records import DocumentInfo, StoredRequest


class RecordQueries:
    """Reads of whole records. Methods are synchronous: call them in a thread."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = database
        # The web's "now", so pages and the repository agree on one clock.
        self.clock = clock

    def conference(self, conference_id: int) -> Conference:
        """One conference with its participants and children; NotFound if there is none."""
        with self.db.session() as session:
            row = session.get(ConferenceRow, conference_id)
            if row is None:
                raise NotFound("conference", conference_id)
            return conference_of(row)

    def conference_by_reference(self, reference: str) -> Conference | None:
        """The conference with this reference, with its people, if any."""
        with self.db.session() as session:
            row = session.scalar(select(ConferenceRow).where(ConferenceRow.reference == reference))
            return None if row is None else conference_of(row)

    def conferences_for_case(
        self, references: Sequence[str], conference_type: ConferenceType
    ) -> list[Conference]:
        """Conferences of one type about a child with any of these case references, newest first."""
        if not references:
            return []
        with self.db.session() as session:
            ids = session.scalars(
                select(ConferenceRow.id)
                .join(ChildRow, ChildRow.conference_id == ConferenceRow.id)
                .join(ChildCaseReferenceRow, ChildCaseReferenceRow.child_id == ChildRow.id)
                .where(ChildCaseReferenceRow.reference.in_(list(references)))
                .where(ConferenceRow.conference_type == conference_type.value)
                .order_by(ConferenceRow.id.desc())
                .distinct()
            ).all()
        return [self.conference(i) for i in ids]

    def conferences(
        self,
        *,
        state: ConferenceState | None = None,
        chair: str | None = None,
        playbook: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Conference]:
        """Conferences, newest first, without people (no personal data in lists)."""
        query = select(ConferenceRow).order_by(ConferenceRow.id.desc())
        if state is not None:
            query = query.where(ConferenceRow.state == state.value)
        if chair is not None:
            query = query.where(ConferenceRow.chair == chair)
        if playbook is not None:
            query = query.where(ConferenceRow.playbook == playbook)
        with self.db.session() as session:
            rows = session.scalars(query.limit(limit).offset(offset)).all()
            return [conference_of(row, with_people=False) for row in rows]

    def timeline(self, conference_id: int) -> list[TimelineEntry]:
        """A conference's audit trail, oldest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(TimelineEntryRow)
                .where(TimelineEntryRow.conference_id == conference_id)
                .order_by(TimelineEntryRow.at, TimelineEntryRow.id)
            ).all()
            return [entry_of(row) for row in rows]

    def triage_items(self, state: str | None = "open", kind: str | None = None) -> list[TriageItem]:
        """Triage items, oldest first, with the subject of their email; every state for None.

        ``kind`` picks "request" items or "threshold" discussions; None gives both.
        """
        query = (
            select(TriageItemRow, ConferenceRequestRow.subject)
            .join(ConferenceRequestRow, TriageItemRow.request_id == ConferenceRequestRow.id)
            .order_by(TriageItemRow.id)
        )
        if state is not None:
            query = query.where(TriageItemRow.state == state)
        if kind is not None:
            query = query.where(TriageItemRow.kind == kind)
        with self.db.session() as session:
            return [triage_item(row, subject) for row, subject in session.execute(query).all()]

    def request_email(self, request_id: int) -> StoredRequest:
        """One stored request email, such as a triage item's; NotFound if there is none."""
        with self.db.session() as session:
            row = session.get(ConferenceRequestRow, request_id)
            if row is None:
                raise NotFound("request", request_id)
            return request_of(row)

    def documents(self, conference_id: int) -> list[DocumentInfo]:
        """A conference's documents, oldest first: what they are, never their content."""
        query = (
            select(
                DocumentRow.id,
                DocumentRow.name,
                DocumentRow.content_type,
                func.length(DocumentRow.content),
                DocumentRow.restricted,
                DocumentRow.kind,
                DocumentRow.from_role,
                DocumentRow.received_at,
            )
            .where(DocumentRow.conference_id == conference_id)
            .order_by(DocumentRow.id)
        )
        with self.db.session() as session:
            rows = session.execute(query).all()
        return [
            DocumentInfo(
                id=doc_id,
                conference_id=conference_id,
                name=name,
                content_type=content_type,
                size=size or 0,
                restricted=restricted,
                kind=kind,
                from_role=Role(from_role) if from_role else None,
                received_at=aware(received_at) or received_at,
            )
            for doc_id, name, content_type, size, restricted, kind, from_role, received_at in rows
        ]
