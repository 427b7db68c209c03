"""The conference aggregate: a conference with its participants and children."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.core.conference import (
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Participant,
)
from bot.core.errors import NotFound
from bot.core.reference import format_reference
from bot.store.base import Store
from bot.store.mapping import child_row, conference_of, participant_of, participant_row
from bot.store.models import ConferenceRequestRow, ConferenceRow, ParticipantRow
from bot.store.reads import RecordQueries
from bot.store.records import NewChild, NewParticipant


def _minutes(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)


class ConferenceStore(Store):
    """Conferences, their participants and their children."""

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
        children: Sequence[NewChild] = (),
        playbook_version: str | None = None,
        mailbox: str | None = None,
    ) -> Conference:
        """Create a conference with its participants and children, and give it a reference.

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
                        return conference_of(existing)
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
            row.participants = [participant_row(p) for p in participants]
            row.children = [child_row(c) for c in children]
            session.add(row)
            session.flush()
            # The id is unique across replicas, so the reference is too.
            row.reference = format_reference(now.year, row.id)
            if request is not None:
                request.outcome = "parsed"
                request.conference_id = row.id
            return conference_of(row)

    def get_conference(self, conference_id: int) -> Conference:
        """One conference with its participants and children (the read side's query)."""
        return RecordQueries(self.db).conference(conference_id)

    def find_conference(self, reference: str) -> Conference | None:
        """The conference with this reference, if any."""
        return RecordQueries(self.db).conference_by_reference(reference)

    def conferences_for_case(
        self, references: Sequence[str], conference_type: ConferenceType
    ) -> list[Conference]:
        """Conferences of one type about a child with any of these case references."""
        return RecordQueries(self.db).conferences_for_case(references, conference_type)

    def list_conferences(
        self,
        *,
        state: ConferenceState | None = None,
        chair: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Conference]:
        """Conferences, newest first, without people (no personal data in lists)."""
        return RecordQueries(self.db).conferences(
            state=state, chair=chair, limit=limit, offset=offset
        )

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
            return conference_of(row)

    def set_held_back(self, participant_ids: Sequence[int], held_back: bool) -> None:
        """Hold participants back from the invite, or release them."""
        with self.db.session() as session:
            for pid in participant_ids:
                row = session.get(ParticipantRow, pid)
                if row is None:
                    raise NotFound("participant", pid)
                row.held_back = held_back

    _CONTACT_FIELDS = frozenset({"name", "relationship", "postal_address"})

    def update_participant(
        self, conference_id: int, participant_id: int, **changes: Any
    ) -> Participant:
        """Change a participant's contact; ``emails`` and ``phones`` replace every one.

        The first address and number keep their own columns, the rest go in the lists, as
        when the participant was created. The conference's ``updated_at`` moves, so pages
        watching it refresh.
        """
        with self.db.session() as session:
            row = session.get(ParticipantRow, participant_id)
            if row is None or row.conference_id != conference_id:
                raise NotFound("participant", participant_id)
            for name, value in changes.items():
                if name in self._CONTACT_FIELDS:
                    setattr(row, name, value)
                elif name == "emails":
                    emails = list(value)
                    row.email = emails[0] if emails else None
                    row.extra_emails = emails[1:]
                elif name == "phones":
                    phones = list(value)
                    row.phone = phones[0] if phones else None
                    row.extra_phones = phones[1:]
                else:
                    raise TypeError(f"cannot update participant field {name!r}")
            row.conference.updated_at = self.clock()
            session.flush()
            return participant_of(row)
