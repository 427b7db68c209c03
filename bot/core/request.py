"""A conference request as the domain sees it, once the intake parser has read the email."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import phonenumbers

from bot.core.conference import ConferenceType, MeetingFormat, Role

# E.164: a plus, a country code and at most 15 digits in all.
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+$")

# Roles an agency contact can hold; the rest of Role names people, not organisations.
AGENCY_ROLES = frozenset({Role.POLICE, Role.HEALTH, Role.GP, Role.SCHOOL, Role.AGENCY})


class InvalidRequestError(ValueError):
    """A request value breaks a domain rule; the message says which one."""


def normalise_phone(text: str) -> str | None:
    """The E.164 form of a UK (or +-prefixed international) number, or None if it is not one."""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    # is_possible, not is_valid: Ofcom's drama ranges (07700 900xxx) are not "valid",
    # and the metadata lags behind new ranges; a possible number is still worth a call.
    if not phonenumbers.is_possible_number(number):
        return None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # "Possible" admits short local numbers ("5567" -> +445567) that are not callable.
    return formatted if _E164.match(formatted) else None


def is_email(text: str) -> bool:
    """Whether ``text`` looks like one email address (no display name)."""
    # 254 is the longest address SMTP allows; the cap also keeps the regex linear.
    return len(text) <= 254 and bool(_EMAIL.match(text))


def _check_phone(phone: str, what: str) -> None:
    if phone and not _E164.match(phone):
        raise InvalidRequestError(f"{what} phone must be in E.164 form")


def _check_email(email: str, what: str) -> None:
    if email and not is_email(email):
        raise InvalidRequestError(f"{what} email is not an address")


@dataclass(frozen=True, slots=True)
class Child:
    """A child the conference is about; an unborn child has a due date instead of a birthday."""

    case_reference: str  # the council's case-management id, never the child's name
    initials: str
    date_of_birth: date | None = None
    unborn: bool = False
    due_date: date | None = None

    def __post_init__(self) -> None:
        if not self.initials:
            raise InvalidRequestError("a child needs initials")
        if self.unborn and self.date_of_birth is not None:
            raise InvalidRequestError("an unborn child has no date of birth")
        if not self.unborn and self.date_of_birth is None:
            raise InvalidRequestError("a child needs a date of birth, or to be marked unborn")
        if not self.unborn and self.due_date is not None:
            raise InvalidRequestError("only an unborn child has a due date")


@dataclass(frozen=True, slots=True)
class Professional:
    """A named worker: the social worker or the team manager."""

    name: str
    email: str = ""
    phone: str = ""  # E.164

    def __post_init__(self) -> None:
        _check_email(self.email, "professional's")
        _check_phone(self.phone, "professional's")


@dataclass(frozen=True, slots=True)
class ParentCarer:
    """A parent or carer; the chair phones them, so every number given is kept."""

    name: str
    phones: tuple[str, ...] = ()  # E.164, in the order given
    email: str = ""
    relationship: str = ""  # as written on the form: "mother", "step-father", "carer"

    def __post_init__(self) -> None:
        for phone in self.phones:
            _check_phone(phone, "parent's")
        _check_email(self.email, "parent's")


@dataclass(frozen=True, slots=True)
class AgencyContact:
    """A partner agency invited to the conference, and the person who speaks for it."""

    organisation: str
    role: Role = Role.AGENCY
    contact_name: str = ""
    email: str = ""
    phone: str = ""  # E.164

    def __post_init__(self) -> None:
        if self.role not in AGENCY_ROLES:
            raise InvalidRequestError(f"{self.role} is not an agency role")
        _check_email(self.email, "agency's")
        _check_phone(self.phone, "agency's")


@dataclass(frozen=True, slots=True)
class ConferenceRequest:
    """Everything a social worker's request says about the conference they want."""

    conference_type: ConferenceType
    children: tuple[Child, ...]
    social_worker: Professional
    team_manager: Professional
    # Required for an ICPC: its statutory 15 working days run from this discussion.
    strategy_discussion_date: date | None = None
    parents: tuple[ParentCarer, ...] = ()
    agencies: tuple[AgencyContact, ...] = ()
    preferred_format: MeetingFormat | None = None  # the chair decides; this is a wish
    preferred_chair: str | None = None  # the chair's email address
    preferred_start: datetime | None = None  # aware, UTC
    confidential_section_requested: bool = False
    confidential_section_reason: str = ""
    access_needs: str = ""  # interpreter, hearing loop, step-free access...: free text
    previous_reference: str | None = None  # the earlier conference this follows (RCPC after ICPC)

    def __post_init__(self) -> None:
        if not self.children:
            raise InvalidRequestError("a request needs at least one child")
        if self.conference_type is ConferenceType.ICPC and self.strategy_discussion_date is None:
            raise InvalidRequestError("an ICPC request needs the strategy discussion date")
        if self.preferred_start is not None and self.preferred_start.tzinfo is None:
            raise InvalidRequestError("the preferred start must carry a time zone")
        if self.preferred_chair is not None:
            _check_email(self.preferred_chair, "preferred chair's")
