"""Request emails, recorded once each, and the triage queue of those confbot could not read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.core.conference import TriageItem
from bot.core.errors import NotFound
from bot.store.base import Store
from bot.store.mapping import request_of, triage_item
from bot.store.models import ConferenceRequestRow, TriageItemRow
from bot.store.reads import RecordQueries
from bot.store.records import StoredRequest


class RequestStore(Store):
    """Request emails and their triage items."""

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
        return request_of(row), True

    def find_request(self, message_id: str) -> StoredRequest | None:
        """The request recorded for a Graph message id, if any."""
        with self.db.session() as session:
            row = session.scalar(
                select(ConferenceRequestRow).where(ConferenceRequestRow.message_id == message_id)
            )
            return None if row is None else request_of(row)

    def get_request(self, request_id: int) -> StoredRequest:
        """One request by id."""
        return RecordQueries(self.db).request_email(request_id)

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

    def open_triage(
        self,
        request_id: int,
        reasons: Sequence[str],
        *,
        draft: Mapping[str, Any] | None = None,
        problems: Sequence[Mapping[str, str]] = (),
        sources: Mapping[str, str] | None = None,
        kind: str = "request",
        summary: str = "",
    ) -> TriageItem:
        """Put a request in the triage queue with its reasons and everything that was read."""
        with self.db.session() as session:
            existing = session.scalar(
                select(TriageItemRow).where(TriageItemRow.request_id == request_id)
            )
            if existing is not None:
                return triage_item(existing, "")
            row = TriageItemRow(
                request_id=request_id,
                reasons=list(reasons),
                created_at=self.clock(),
                kind=kind,
                draft=dict(draft) if draft is not None else None,
                problems=[dict(p) for p in problems],
                sources=dict(sources or {}),
                summary=summary,
            )
            session.add(row)
            request = session.get(ConferenceRequestRow, request_id)
            if request is not None:
                request.outcome = "triage"
            session.flush()
            return triage_item(row, request.subject if request else "")

    def triage_for_request(self, request_id: int) -> TriageItem | None:
        """The triage item a request email became, if it became one."""
        with self.db.session() as session:
            row = session.scalar(
                select(TriageItemRow).where(TriageItemRow.request_id == request_id)
            )
            return triage_item(row, "") if row is not None else None

    def mark_triage_notified(self, item_id: int) -> None:
        """Note that the duty chair has been emailed about a threshold discussion."""
        with self.db.session() as session:
            row = session.get(TriageItemRow, item_id)
            if row is None:
                raise NotFound("triage item", item_id)
            row.notified_at = self.clock()

    def list_triage(self, state: str | None = "open") -> list[TriageItem]:
        """Triage items, oldest first, with the subject of their email."""
        return RecordQueries(self.db).triage_items(state)

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
