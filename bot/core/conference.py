"""Conference vocabulary shared by every layer: types, formats, states and roles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any


class ConferenceType(StrEnum):
    """The kinds of conference a playbook can describe."""

    ICPC = "ICPC"  # initial child protection conference
    RCPC = "RCPC"  # review child protection conference
    TI = "TI"  # transfer-in conference
    LAC = "LAC"  # looked-after child review (one seed runs these the same way)


class MeetingFormat(StrEnum):
    """How the chair decides the conference will be held."""

    TEAMS = "teams"
    HYBRID = "hybrid"  # a venue, plus Teams for those who cannot attend
    CONFERENCE_CALL = "conference_call"
    PHONE_SERIES = "phone_series"  # the chair phones each party in turn
    FACE_TO_FACE = "face_to_face"


class ConferenceState(StrEnum):
    """Where a conference is in its life."""

    REQUESTED = "requested"
    ALLOCATED = "allocated"
    AWAITING_FORMAT = "awaiting_format"
    SCHEDULED = "scheduled"
    IN_MEETING = "in_meeting"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"
    TRIAGE = "triage"


class Role(StrEnum):
    """The parts people play in a conference, in the councils' own words."""

    CHAIR = "chair"  # the Independent Reviewing Officer (IRO), CP chair or CP advisor
    SOCIAL_WORKER = "social_worker"
    TEAM_MANAGER = "team_manager"  # team or practice manager
    PARENT = "parent"  # parent or carer
    YOUNG_PERSON = "young_person"
    ADVOCATE = "advocate"
    AGENCY = "agency"  # police, health, school, ... (the organisation is recorded separately)
    POLICE = "police"
    HEALTH = "health"
    GP = "gp"
    SCHOOL = "school"
    MINUTE_TAKER = "minute_taker"  # minute taker or conference clerk
    ADMIN = "admin"  # MTS, business support, SQT admin or IRS


# Roles the playbooks' rules treat as "agency": each is an agency with its own name.
AGENCY_ROLES_FOR_RULES = frozenset({Role.POLICE, Role.HEALTH, Role.GP, Role.SCHOOL, Role.AGENCY})


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone taking part, as stored. ``held_back`` keeps a parent off the invite for now.

    ``email`` and ``phone`` are the first of ``emails`` and ``phones``; either form may be
    given and the other is filled in, so code that knows only one address keeps working.
    """

    id: int
    role: Role
    name: str
    organisation: str = ""
    email: str | None = None
    phone: str | None = None
    held_back: bool = False
    relationship: str = ""  # to the child, for family: "mother", "maternal grandmother"...
    postal_address: str = ""  # for letters by post, where the family has no email
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        emails, email = _first_and_all(self.email, self.emails)
        phones, phone = _first_and_all(self.phone, self.phones)
        # Frozen, so the normalised pair is set the way dataclasses do it themselves.
        object.__setattr__(self, "emails", emails)
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "phones", phones)
        object.__setattr__(self, "phone", phone)


def _first_and_all(first: str | None, every: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """Every value, the first one leading and none twice, and that first value."""
    values = tuple(dict.fromkeys(v for v in (first, *every) if v))
    return values, (values[0] if values else None)


@dataclass(frozen=True, slots=True)
class CaseReference:
    """A child's reference in one of the council's systems (LCS, Mosaic, a local id)."""

    system: str  # "" when the request did not name the system
    reference: str
    primary: bool = False  # the case-management system's own reference


@dataclass(frozen=True, slots=True)
class Child:
    """A child the conference is about, by initials only: confbot never holds the full name."""

    id: int
    initials: str
    date_of_birth: date | None = None
    unborn: bool = False
    expected_date: date | None = None  # an unborn child's expected date of delivery
    case_references: tuple[CaseReference, ...] = ()
    gender: str = ""
    legal_status: str = ""  # "child protection plan", "section 20", "interim care order"...
    # The young person's own contact, used only where the parent's permission is noted.
    own_email: str | None = None
    own_phone: str | None = None
    contact_permission_noted: bool = False
    advocate: str = ""

    @property
    def case_reference(self) -> str | None:
        """The case system's reference, else the first one given, else None."""
        for ref in self.case_references:
            if ref.primary:
                return ref.reference
        return self.case_references[0].reference if self.case_references else None


@dataclass(frozen=True, slots=True)
class Conference:
    """A conference as stored: identity, state, chair, format, and its meeting."""

    id: int
    reference: str
    playbook: str
    conference_type: ConferenceType
    state: ConferenceState
    created_at: datetime
    updated_at: datetime
    playbook_version: str | None = None  # hash of the playbook text it was booked under
    mailbox: str | None = None  # the request mailbox it came in by, and sends from
    chair: str | None = None
    meeting_format: MeetingFormat | None = None
    start_at: datetime | None = None
    length: timedelta | None = None
    confidential_length: timedelta | None = None
    strategy_discussion: date | None = None
    event_id: str | None = None
    join_url: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    participants: tuple[Participant, ...] = ()
    children: tuple[Child, ...] = ()


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a conference's audit trail: who did what, and when."""

    id: int
    conference_id: int
    at: datetime
    actor: str
    kind: str
    step_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TriageItem:
    """A request that needs a person, with the reasons confbot could not read it."""

    id: int
    request_id: int
    reasons: tuple[str, ...]
    state: str
    created_at: datetime
    subject: str = ""
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    kind: str = "request"  # or "threshold": a social worker asks the duty chair
    # What the reader made of the email (see bot.intake.draft), to pre-fill the form.
    draft: Mapping[str, Any] | None = None
    problems: tuple[Mapping[str, str], ...] = ()  # {"field": path, "message": ...}
    sources: Mapping[str, str] = field(default_factory=dict)
    summary: str = ""
    notified_at: datetime | None = None  # when the duty chair was emailed (threshold items)
