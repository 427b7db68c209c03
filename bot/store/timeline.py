"""A conference's audit trail: append-only, and the idempotency checks over it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.core.conference import ConferenceState, TimelineEntry
from bot.store.base import Store
from bot.store.mapping import entry_of
from bot.store.models import ConferenceRow, TimelineEntryRow
from bot.store.reads import RecordQueries


class TimelineStore(Store):
    """Timeline lines by conference. There is no update or delete, by design."""

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
            return entry_of(row)

    def conferences_with(
        self, kinds: Sequence[str], since: datetime, state: ConferenceState
    ) -> list[int]:
        """Conferences in ``state`` with a line of one of ``kinds`` since ``since``, by id."""
        with self.db.session() as session:
            rows = session.scalars(
                select(TimelineEntryRow.conference_id)
                .join(ConferenceRow, ConferenceRow.id == TimelineEntryRow.conference_id)
                .where(TimelineEntryRow.kind.in_(kinds))
                .where(TimelineEntryRow.at >= since)
                .where(ConferenceRow.state == state.value)
                .distinct()
            ).all()
        return sorted(rows)

    def timeline(self, conference_id: int) -> list[TimelineEntry]:
        """A conference's audit trail, oldest first."""
        return RecordQueries(self.db).timeline(conference_id)

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
