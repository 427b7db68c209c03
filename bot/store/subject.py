"""Subject access and erasure: everything held about one person, and removing what may go.

A person is looked for by email address, phone number, name or a child's case reference.
The export holds, for each conference they are in, their own participant record, their
family's children (by initials), the messages sent to them, the documents held for the
conference (names only), and the timeline. A timeline line's detail is given only when it
is about them; other lines are listed without it, since they may be about someone else.

Erasure removes a participant's name and contact details, and their address from the
messages sent to them and from request emails, and leaves a tombstone on the timeline. It
is refused for a conference still live, or under a legal hold, where a legal basis remains.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.conference import Role
from bot.core.errors import NotFound
from bot.core.retention import legal_hold
from bot.store.base import Store
from bot.store.models import (
    ChildCaseReferenceRow,
    ChildRow,
    ConferenceRequestRow,
    ConferenceRow,
    DocumentRow,
    OutboxRow,
    ParticipantRow,
    TimelineEntryRow,
)

FAMILY = frozenset({Role.PARENT.value, Role.YOUNG_PERSON.value})
FINISHED = frozenset({"concluded", "cancelled"})
ERASED = "[erased]"
LOOKUPS = ("email", "phone", "name", "case_reference")


class ErasureRefused(Exception):
    """An erasure the law does not allow now; the message says why, in plain words."""


@dataclass(frozen=True, slots=True)
class Lookup:
    """Who a subject access request is about: one of email, phone, name or case reference."""

    by: str
    value: str

    def __post_init__(self) -> None:
        if self.by not in LOOKUPS:
            raise ValueError(f"look up by one of {', '.join(LOOKUPS)}")


def phone_digits(value: str) -> str:
    """A UK number's digits, +44 read as 0, so "07700 900123" finds "+44 7700 900123"."""
    digits = re.sub(r"\D", "", value)
    return "0" + digits[2:] if digits.startswith("44") else digits


def _name(value: str) -> str:
    return " ".join(value.split()).casefold()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _matches(row: ParticipantRow, lookup: Lookup) -> bool:
    wanted = lookup.value.strip()
    if lookup.by == "email":
        emails = [row.email or "", *(row.extra_emails or [])]
        return wanted.casefold() in {e.casefold() for e in emails if e}
    if lookup.by == "phone":
        phones = [row.phone or "", *(row.extra_phones or [])]
        digits = phone_digits(wanted)
        return bool(digits) and digits in {phone_digits(p) for p in phones if p}
    if lookup.by == "name":
        return bool(wanted) and _name(row.name) == _name(wanted)
    return False


def _participant(row: ParticipantRow) -> dict[str, Any]:
    return {
        "participant_id": row.id,
        "role": row.role,
        "name": row.name,
        "organisation": row.organisation,
        "relationship": row.relationship,
        "emails": [e for e in [row.email, *(row.extra_emails or [])] if e],
        "phones": [p for p in [row.phone, *(row.extra_phones or [])] if p],
        "postal_address": row.postal_address,
    }


def _about(detail: dict[str, Any], participant_ids: set[int], contacts: set[str]) -> bool:
    if detail.get("participant_id") in participant_ids:
        return True
    text = json.dumps(detail, default=str).casefold()
    return any(c and c.casefold() in text for c in contacts)


class SubjectAccess(Store):
    """Finds, exports and erases what is held about one person."""

    def export(self, lookup: Lookup) -> dict[str, Any]:
        """Everything held about the person, as plain JSON-ready data; empty if unknown."""
        with self.db.session() as session:
            found = self._find(session, lookup)
            conferences = [self._conference(session, cid, rows) for cid, rows in found.items()]
            others = _messages(session, None, _contacts(found, lookup))
        return {
            "looked_up_by": lookup.by,
            "looked_up": lookup.value,
            "made_at": self.clock().isoformat(),
            "found": bool(conferences or others),
            "conferences": conferences,
            "messages_about_no_conference": others,
        }

    def export_by(self, by: str, value: str) -> dict[str, Any]:
        """The export, looked up by one of ``LOOKUPS``."""
        return self.export(Lookup(by, value))

    def _find(self, session: Session, lookup: Lookup) -> dict[int, list[ParticipantRow]]:
        found: dict[int, list[ParticipantRow]] = {}
        if lookup.by == "case_reference":
            wanted = lookup.value.strip().casefold()
            for child in session.scalars(
                select(ChildRow)
                .join(ChildCaseReferenceRow)
                .where(ChildCaseReferenceRow.reference.is_not(None))
            ):
                if any(r.reference.casefold() == wanted for r in child.case_references):
                    found.setdefault(child.conference_id, [])
            return found
        for row in session.scalars(select(ParticipantRow).order_by(ParticipantRow.id)):
            if _matches(row, lookup):
                found.setdefault(row.conference_id, []).append(row)
        return found

    def _conference(
        self, session: Session, conference_id: int, rows: list[ParticipantRow]
    ) -> dict[str, Any]:
        conference = session.get(ConferenceRow, conference_id)
        if conference is None:
            raise NotFound("conference", conference_id)
        # A case reference is the child's: the child's record is the family's.
        family = not rows or any(r.role in FAMILY for r in rows)
        contacts = {c for r in rows for c in [r.email, *(r.extra_emails or [])] if c}
        ids = {r.id for r in rows}
        messages = _messages(session, conference_id, contacts)
        timeline = []
        for entry in session.scalars(
            select(TimelineEntryRow)
            .where(TimelineEntryRow.conference_id == conference_id)
            .order_by(TimelineEntryRow.at, TimelineEntryRow.id)
        ):
            about = _about(entry.detail or {}, ids, contacts)
            if about or family:
                timeline.append(
                    {
                        "at": _iso(entry.at),
                        "kind": entry.kind,
                        "step": entry.step_id,
                        "detail": entry.detail if about else "withheld: may be about others",
                    }
                )
        return {
            "conference_id": conference.id,
            "reference": conference.reference,
            "type": conference.conference_type,
            "state": conference.state,
            "start_at": _iso(conference.start_at),
            "roles": sorted({r.role for r in rows}) or ["child (by case reference)"],
            "records": [_participant(r) for r in rows],
            "children": [
                {
                    "initials": c.initials,
                    "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
                    "case_references": [r.reference for r in c.case_references],
                }
                for c in (conference.children if family else [])
            ],
            "messages": messages,
            "documents": [
                {"name": d.name, "kind": d.kind, "received_at": _iso(d.received_at)}
                for d in session.scalars(
                    select(DocumentRow).where(DocumentRow.conference_id == conference_id)
                )
            ]
            if family
            else [],
            "timeline": timeline,
        }

    def erase(self, participant_id: int, *, by: str, because: str) -> int:
        """Erase one participant's details; the tombstone's conference id is returned."""
        now = self.clock()
        with self.db.session() as session:
            row = session.get(ParticipantRow, participant_id)
            if row is None:
                raise NotFound("participant", participant_id)
            conference = row.conference
            if conference.state not in FINISHED:
                state = conference.state.replace("_", " ")
                raise ErasureRefused(
                    f"conference {conference.reference} is still {state}:"
                    " its participants' details are needed to run it, so they cannot be erased"
                    " until it is concluded or cancelled"
                )
            if legal_hold(conference.facts or {}) is not None:
                raise ErasureRefused(
                    f"conference {conference.reference} is under a legal hold: release it first"
                )
            contacts = [
                c
                for c in [
                    row.email,
                    *(row.extra_emails or []),
                    row.phone,
                    *(row.extra_phones or []),
                ]
                if c
            ]
            _scrub_messages(session, conference.id, contacts)
            _scrub_requests(session, conference.id, [row.name, *contacts])
            row.name = ERASED
            row.email = row.phone = None
            row.extra_emails, row.extra_phones = [], []
            row.postal_address = ""
            row.relationship = ""
            session.add(
                TimelineEntryRow(
                    conference_id=conference.id,
                    at=now,
                    actor=by,
                    kind="participant_erased",
                    detail={"participant_id": participant_id, "by": by, "because": because},
                )
            )
            return conference.id


def _contacts(found: dict[int, list[ParticipantRow]], lookup: Lookup) -> set[str]:
    contacts = {
        c for rows in found.values() for r in rows for c in [r.email, *(r.extra_emails or [])]
    }
    if lookup.by == "email":
        contacts.add(lookup.value.strip())
    return {c for c in contacts if c}


def _messages(
    session: Session, conference_id: int | None, contacts: set[str]
) -> list[dict[str, Any]]:
    """Messages sent to any of ``contacts``: about one conference, or (None) about none."""
    wanted = {c.casefold() for c in contacts}
    where = (
        OutboxRow.conference_id.is_(None)
        if conference_id is None
        else OutboxRow.conference_id == conference_id
    )
    return [
        {
            "at": _iso(m.at),
            "channel": m.channel,
            "purpose": m.purpose,
            "subject": m.subject,
            "state": m.state,
        }
        for m in session.scalars(select(OutboxRow).where(where).order_by(OutboxRow.at))
        if wanted & {str(r).casefold() for r in (m.recipients or [])}
    ]


def _scrub_messages(session: Session, conference_id: int, contacts: Iterable[str]) -> None:
    gone = {c.casefold() for c in contacts}
    for message in session.scalars(
        select(OutboxRow).where(OutboxRow.conference_id == conference_id)
    ):
        recipients = [ERASED if str(r).casefold() in gone else r for r in message.recipients or []]
        if recipients != list(message.recipients or []):
            message.recipients = recipients


def _scrub_requests(session: Session, conference_id: int, words: Iterable[str]) -> None:
    patterns = [re.compile(re.escape(w), re.IGNORECASE) for w in words if w and len(w) > 2]
    for request in session.scalars(
        select(ConferenceRequestRow).where(ConferenceRequestRow.conference_id == conference_id)
    ):
        body, subject = request.body, request.subject
        for pattern in patterns:
            body, subject = pattern.sub(ERASED, body), pattern.sub(ERASED, subject)
        request.body, request.subject = body, subject
