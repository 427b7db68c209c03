"""The store's own small records: new people and children to add, stored mail and files.

Callers of both sides use them: the write side (the repository) takes the ``New`` ones,
and the read side (``bot.store.queries``) returns the stored ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core.conference import CaseReference, Child, Participant, Role


@dataclass(frozen=True, slots=True)
class NewParticipant:
    """A participant to add to a new conference.

    ``emails`` and ``phones`` may hold more than one; ``email`` and ``phone``, when given,
    come first. ``relationship`` is to the child ("mother"), never put in ``organisation``.
    """

    role: Role
    name: str
    organisation: str = ""
    email: str | None = None
    phone: str | None = None
    held_back: bool = False
    relationship: str = ""
    postal_address: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()

    @classmethod
    def copy_of(cls, person: Participant) -> NewParticipant:
        """The same person for a new conference, such as the review after an ICPC."""
        return cls(
            role=person.role,
            name=person.name,
            organisation=person.organisation,
            held_back=person.held_back,
            relationship=person.relationship,
            postal_address=person.postal_address,
            emails=person.emails,
            phones=person.phones,
        )

    def every_email(self) -> tuple[str, ...]:
        """Every address, the first one leading, none twice."""
        return tuple(dict.fromkeys(e for e in (self.email, *self.emails) if e))

    def every_phone(self) -> tuple[str, ...]:
        """Every number, the first one leading, none twice."""
        return tuple(dict.fromkeys(p for p in (self.phone, *self.phones) if p))


@dataclass(frozen=True, slots=True)
class NewChild:
    """A child to add to a new conference: initials only, never the full name."""

    initials: str
    date_of_birth: date | None = None
    unborn: bool = False
    expected_date: date | None = None
    case_references: tuple[CaseReference, ...] = ()
    gender: str = ""
    legal_status: str = ""
    own_email: str | None = None
    own_phone: str | None = None
    contact_permission_noted: bool = False
    advocate: str = ""

    @classmethod
    def copy_of(cls, child: Child) -> NewChild:
        """The same child for a new conference, such as the review after an ICPC."""
        return cls(
            initials=child.initials,
            date_of_birth=child.date_of_birth,
            unborn=child.unborn,
            expected_date=child.expected_date,
            case_references=child.case_references,
            gender=child.gender,
            legal_status=child.legal_status,
            own_email=child.own_email,
            own_phone=child.own_phone,
            contact_permission_noted=child.contact_permission_noted,
            advocate=child.advocate,
        )


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


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What a page may show of a document: everything but its content."""

    id: int
    conference_id: int
    name: str
    content_type: str
    size: int  # bytes
    restricted: bool
    kind: str
    from_role: Role | None
    received_at: datetime
