"""The web's read side: every query behind its pages and API, fast at tens of thousands of rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from bot.core.conference import (
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    TimelineEntry,
    TriageItem,
)
from bot.core.post import CLOSING, NEEDS_POST, letters_to_post, open_post_steps
from bot.store.failures import DONE_KINDS, FAILED_KIND, FailedAction, FailureQueries
from bot.store.mapping import aware, entry_of, triage_item
from bot.store.models import (
    ConferenceRequestRow,
    ConferenceRow,
    TimelineEntryRow,
    TriageItemRow,
)
from bot.store.reads import RecordQueries
from bot.store.records import DocumentInfo, StoredRequest

__all__ = [
    "ACTIVE_STATES",
    "DONE_KINDS",
    "FAILED_KIND",
    "LATE_KIND",
    "ConferenceFilter",
    "ConferenceLine",
    "DocumentInfo",
    "FailedAction",
    "Page",
    "StatusQueries",
    "StoredRequest",
]

# States in which a conference still needs someone to act.
ACTIVE_STATES: tuple[str, ...] = (
    ConferenceState.REQUESTED.value,
    ConferenceState.ALLOCATED.value,
    ConferenceState.AWAITING_FORMAT.value,
    ConferenceState.SCHEDULED.value,
    ConferenceState.IN_MEETING.value,
)
LATE_KIND = "step_late"  # a deadline check found the step not done


@dataclass(frozen=True, slots=True)
class ConferenceLine:
    """One conference as a list shows it: no participants, so no personal data."""

    id: int
    reference: str
    playbook: str
    conference_type: ConferenceType
    state: ConferenceState
    chair: str | None
    meeting_format: MeetingFormat | None
    start_at: datetime | None
    strategy_discussion: date | None
    updated_at: datetime
    length_minutes: int | None = None
    confidential_minutes: int | None = None
    late_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ConferenceFilter:
    """What the conferences list is narrowed to; None means any."""

    state: ConferenceState | None = None
    conference_type: ConferenceType | None = None
    chair: str | None = None
    playbook: str | None = None
    start_from: datetime | None = None  # UTC, inclusive
    start_before: datetime | None = None  # UTC, exclusive
    unallocated: bool = False
    # A chair's own conferences and those of the chairs they cover (need to know).
    chairs: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of conferences and how many match in all."""

    lines: list[ConferenceLine]
    total: int
    offset: int
    limit: int


_LINE_COLUMNS = (
    ConferenceRow.id,
    ConferenceRow.reference,
    ConferenceRow.playbook,
    ConferenceRow.conference_type,
    ConferenceRow.state,
    ConferenceRow.chair,
    ConferenceRow.meeting_format,
    ConferenceRow.start_at,
    ConferenceRow.strategy_discussion,
    ConferenceRow.updated_at,
    ConferenceRow.length_minutes,
    ConferenceRow.confidential_minutes,
)


def _line(row: Sequence[Any]) -> ConferenceLine:
    return ConferenceLine(
        id=row[0],
        reference=row[1],
        playbook=row[2],
        conference_type=ConferenceType(row[3]),
        state=ConferenceState(row[4]),
        chair=row[5],
        meeting_format=MeetingFormat(row[6]) if row[6] else None,
        start_at=aware(row[7]),
        strategy_discussion=row[8],
        updated_at=aware(row[9]) or datetime.now(UTC),
        length_minutes=row[10],
        confidential_minutes=row[11],
    )


AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])


def _filtered(query: AnySelect, where: ConferenceFilter) -> AnySelect:
    if where.state is not None:
        query = query.where(ConferenceRow.state == where.state.value)
    if where.conference_type is not None:
        query = query.where(ConferenceRow.conference_type == where.conference_type.value)
    if where.chair is not None:
        query = query.where(func.lower(ConferenceRow.chair) == where.chair.lower())
    if where.chairs is not None:
        query = query.where(func.lower(ConferenceRow.chair).in_(sorted(where.chairs)))
    if where.unallocated:
        query = query.where(ConferenceRow.chair.is_(None))
    if where.playbook is not None:
        query = query.where(ConferenceRow.playbook == where.playbook)
    if where.start_from is not None:
        query = query.where(ConferenceRow.start_at >= where.start_from)
    if where.start_before is not None:
        query = query.where(ConferenceRow.start_at < where.start_before)
    return query


class StatusQueries(FailureQueries, RecordQueries):
    """Every read the web makes. Methods are synchronous: call them in a thread."""

    def counts_by_state(self, chair: str | None = None) -> dict[ConferenceState, int]:
        """How many conferences are in each state, for one chair when given."""
        query = select(ConferenceRow.state, func.count()).group_by(ConferenceRow.state)
        query = _filtered(query, ConferenceFilter(chair=chair))
        with self.db.session() as session:
            rows = session.execute(query).all()
        return {ConferenceState(state): count for state, count in rows}

    def page(self, where: ConferenceFilter, *, offset: int = 0, limit: int = 50) -> Page:
        """A page of conferences, soonest start first (undated last), and the total."""
        query = _filtered(select(*_LINE_COLUMNS), where).order_by(
            ConferenceRow.start_at.is_(None), ConferenceRow.start_at, ConferenceRow.id
        )
        counted = _filtered(select(func.count()).select_from(ConferenceRow), where)
        with self.db.session() as session:
            total = session.scalar(counted) or 0
            rows = session.execute(query.offset(offset).limit(limit)).all()
        return Page([_line(row) for row in rows], total, offset, limit)

    def starting_between(
        self, start: datetime, end: datetime, chair: str | None = None
    ) -> list[ConferenceLine]:
        """Conferences starting in [start, end), in start order."""
        where = ConferenceFilter(chair=chair, start_from=start, start_before=end)
        query = _filtered(select(*_LINE_COLUMNS), where).order_by(ConferenceRow.start_at)
        with self.db.session() as session:
            return [_line(row) for row in session.execute(query.limit(500)).all()]

    def unallocated(self, limit: int = 200) -> list[ConferenceLine]:
        """Active conferences with no chair, oldest request first."""
        query = (
            select(*_LINE_COLUMNS)
            .where(ConferenceRow.chair.is_(None))
            .where(ConferenceRow.state.in_(ACTIVE_STATES))
            .order_by(ConferenceRow.start_at.is_(None), ConferenceRow.start_at, ConferenceRow.id)
        )
        with self.db.session() as session:
            return [_line(row) for row in session.execute(query.limit(limit)).all()]

    def icpc_dates(self, limit: int = 20000) -> list[tuple[int, str, date, datetime | None]]:
        """(id, reference, strategy discussion, start) of active ICPCs with a strategy date.

        Plain tuples, not lines: the 15-working-day check runs over every one of them.
        """
        query = (
            select(
                ConferenceRow.id,
                ConferenceRow.reference,
                ConferenceRow.strategy_discussion,
                ConferenceRow.start_at,
            )
            .where(ConferenceRow.conference_type == ConferenceType.ICPC.value)
            .where(ConferenceRow.state.in_(ACTIVE_STATES))
            .where(ConferenceRow.strategy_discussion.is_not(None))
        )
        with self.db.session() as session:
            return [
                (cid, reference, day, aware(start))
                for cid, reference, day, start in session.execute(query.limit(limit)).all()
                if day is not None
            ]

    def scheduled_between(self, start: datetime, end: datetime) -> list[ConferenceLine]:
        """Active conferences with a format and a start in [start, end): their reports matter."""
        query = (
            select(*_LINE_COLUMNS, ConferenceRow.facts)
            .where(ConferenceRow.state.in_(ACTIVE_STATES))
            .where(ConferenceRow.meeting_format.is_not(None))
            .where(ConferenceRow.start_at >= start)
            .where(ConferenceRow.start_at < end)
            .order_by(ConferenceRow.start_at)
        )
        lines = []
        with self.db.session() as session:
            for row in session.execute(query.limit(1000)).all():
                line = _line(row)
                facts = row[len(_LINE_COLUMNS)] or {}
                reason = facts.get("late_reason") if isinstance(facts, dict) else None
                if reason:
                    line = _with_late_reason(line, str(reason))
                lines.append(line)
        return lines

    def step_lines(self, conference_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        """(kind, step id) of each conference's step outcomes, oldest first."""
        found: dict[int, list[tuple[str, str]]] = {cid: [] for cid in conference_ids}
        if not conference_ids:
            return found
        query = (
            select(TimelineEntryRow.conference_id, TimelineEntryRow.kind, TimelineEntryRow.step_id)
            .where(TimelineEntryRow.conference_id.in_(list(conference_ids)))
            .where(TimelineEntryRow.kind.in_((*DONE_KINDS, FAILED_KIND, LATE_KIND)))
            .where(TimelineEntryRow.step_id.is_not(None))
            .order_by(TimelineEntryRow.at, TimelineEntryRow.id)
        )
        with self.db.session() as session:
            for cid, kind, step_id in session.execute(query).all():
                if step_id is not None:
                    found[cid].append((kind, step_id))
        return found

    def letters_to_post(self) -> list[tuple[int, str, int]]:
        """(conference id, reference, how many) of letters waiting to be posted, oldest first.

        Read from the timeline's post lines only; the people are loaded just for the
        conferences that still have a letter open.
        """
        query = (
            select(TimelineEntryRow)
            .join(ConferenceRow, ConferenceRow.id == TimelineEntryRow.conference_id)
            .where(TimelineEntryRow.kind.in_((*NEEDS_POST, *CLOSING)))
            .where(TimelineEntryRow.step_id.is_not(None))
            .where(ConferenceRow.state != ConferenceState.CANCELLED.value)
            .order_by(TimelineEntryRow.at, TimelineEntryRow.id)
        )
        by_conference: dict[int, list[TimelineEntry]] = {}
        with self.db.session() as session:
            for row in session.scalars(query).all():
                by_conference.setdefault(row.conference_id, []).append(entry_of(row))
        found = []
        for cid, entries in by_conference.items():
            if not open_post_steps(entries):
                continue
            conference = self.conference(cid)
            count = len(letters_to_post(conference, entries))
            if count:
                found.append((cid, conference.reference, count))
        return found

    def open_triage_count(self) -> int:
        """How many requests wait in triage (threshold discussions are counted apart)."""
        query = (
            select(func.count())
            .select_from(TriageItemRow)
            .where(TriageItemRow.state == "open")
            .where(TriageItemRow.kind != "threshold")
        )
        with self.db.session() as session:
            return session.scalar(query) or 0

    def triage_item(self, item_id: int) -> TriageItem | None:
        """One triage item with the subject of its email, or None."""
        query = (
            select(TriageItemRow, ConferenceRequestRow.subject)
            .join(ConferenceRequestRow, TriageItemRow.request_id == ConferenceRequestRow.id)
            .where(TriageItemRow.id == item_id)
        )
        with self.db.session() as session:
            found = session.execute(query).first()
            if found is None:
                return None
            row, subject = found
            return triage_item(row, subject)

    def request_for_conference(self, conference_id: int) -> int | None:
        """The id of the first request email that became this conference, if any."""
        query = (
            select(ConferenceRequestRow.id)
            .where(ConferenceRequestRow.conference_id == conference_id)
            .order_by(ConferenceRequestRow.id)
            .limit(1)
        )
        with self.db.session() as session:
            return session.scalar(query)

    def chair_load(self, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        """(chair, start) of every allocated, not cancelled conference starting in [start, end)."""
        query = (
            select(ConferenceRow.chair, ConferenceRow.start_at)
            .where(ConferenceRow.chair.is_not(None))
            .where(ConferenceRow.state != ConferenceState.CANCELLED.value)
            .where(ConferenceRow.start_at >= start)
            .where(ConferenceRow.start_at < end)
        )
        with self.db.session() as session:
            rows = session.execute(query).all()
        return [(chair, at) for chair, start in rows if chair and (at := aware(start)) is not None]

    def chairs(self) -> list[str]:
        """Every chair named on a conference, for the filter list."""
        query = select(ConferenceRow.chair).where(ConferenceRow.chair.is_not(None)).distinct()
        with self.db.session() as session:
            return sorted(c for c in session.scalars(query).all() if c)

    def playbooks(self) -> list[str]:
        """Every playbook a conference uses, for the filter list."""
        query = select(ConferenceRow.playbook).distinct()
        with self.db.session() as session:
            return sorted(session.scalars(query).all())

    def overview_version(self) -> str:
        """A short fingerprint that changes whenever anything the overview shows changes."""
        with self.db.session() as session:
            conferences = session.execute(
                select(func.count(), func.max(ConferenceRow.updated_at))
            ).one()
            entries = session.scalar(select(func.max(TimelineEntryRow.id)))
            triage = session.execute(
                select(func.count(), func.max(TriageItemRow.id)).where(
                    TriageItemRow.state == "open"
                )
            ).one()
        # Conferences first: the at-risk memo keys its conference-only part on that prefix.
        return f"{conferences[0]}|{conferences[1]}|{entries}|{triage[0]}|{triage[1]}"

    def conference_version(self, conference_id: int) -> str:
        """A short fingerprint that changes whenever one conference or its timeline changes."""
        with self.db.session() as session:
            updated = session.scalar(
                select(ConferenceRow.updated_at).where(ConferenceRow.id == conference_id)
            )
            entries = session.scalar(
                select(func.max(TimelineEntryRow.id)).where(
                    TimelineEntryRow.conference_id == conference_id
                )
            )
        return f"{updated}|{entries}"


def _with_late_reason(line: ConferenceLine, reason: str) -> ConferenceLine:
    return replace(line, late_reason=reason)
