"""A conference request as the domain sees it, once the intake parser has read the email."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import email_validator
import phonenumbers

from bot.core.conference import CaseReference, ConferenceType, MeetingFormat, Role

# E.164: a plus, a country code and at most 15 digits in all.
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_HAS_WORD = re.compile(r"[A-Za-z0-9]")

# Roles an agency contact can hold; the rest of Role names people, not organisations.
AGENCY_ROLES = frozenset({Role.POLICE, Role.HEALTH, Role.GP, Role.SCHOOL, Role.AGENCY})


class InvalidRequestError(ValueError):
    """A request value breaks a domain rule; the message says which one."""


# Pure functions of a string, asked again for every line and person that repeats a number
# or address; phonenumbers and email-validator are the slowest steps of reading a request.
@lru_cache(maxsize=4096)
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
    # A UK number has 9 or 10 digits after the 0; "7946 0316" is part of one, not a number.
    if number.country_code == 44 and len(str(number.national_number)) < 9:
        return None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # "Possible" admits short local numbers ("5567" -> +445567) that are not callable.
    return formatted if _E164.match(formatted) else None


@lru_cache(maxsize=4096)
def is_email(text: str) -> bool:
    """Whether ``text`` is one whole email address (no display name), as RFC 5322 allows.

    An apostrophe, plus sign or hyphen is part of an address (``siobhan.o'neill@...``);
    a local part with no letter or digit (``//@...``) is junk, though the RFC admits it.
    """
    # 254 is the longest address SMTP allows.
    if len(text) > 254 or "@" not in text:
        return False
    try:
        # No DNS here: a council's mail domains need not resolve from this machine.
        # test_environment admits the sandbox tenant's ``.test`` domain.
        email_validator.validate_email(
            text, check_deliverability=False, test_environment=True, allow_quoted_local=False
        )
    except email_validator.EmailNotValidError:
        return False
    return bool(_HAS_WORD.search(text.rsplit("@", 1)[0]))


def _check_phone(phone: str, what: str) -> None:
    if phone and not _E164.match(phone):
        raise InvalidRequestError(f"{what} phone must be in E.164 form")


def _check_email(email: str, what: str) -> None:
    if email and not is_email(email):
        raise InvalidRequestError(f"{what} email is not an address")


@dataclass(frozen=True, slots=True)
class Child:
    """A child the conference is about; an unborn child has a due date instead of a birthday.

    Initials only: a full name given in a request is read down to initials and never kept.
    """

    initials: str
    date_of_birth: date | None = None
    unborn: bool = False
    due_date: date | None = None
    case_references: tuple[CaseReference, ...] = ()  # LCS, Mosaic, a local id: never the name
    gender: str = ""
    legal_status: str = ""  # "child protection plan", "section 20", "interim care order"...

    def __post_init__(self) -> None:
        if not self.initials and not self.unborn:
            # An unborn baby has no initials yet; the expected date says which child it is.
            raise InvalidRequestError("a child needs initials")
        if self.unborn and self.date_of_birth is not None:
            raise InvalidRequestError("an unborn child has no date of birth")
        if not self.unborn and self.date_of_birth is None:
            raise InvalidRequestError("a child needs a date of birth, or to be marked unborn")
        if not self.unborn and self.due_date is not None:
            raise InvalidRequestError("only an unborn child has a due date")

    @property
    def case_reference(self) -> str:
        """The case system's reference, else the first one given, else ""."""
        primary = [r.reference for r in self.case_references if r.primary]
        return (primary or [r.reference for r in self.case_references] or [""])[0]


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the request names as taking part, and every way given to reach them.

    ``relationship`` is to the child, for family ("mother", "maternal grandmother");
    ``organisation`` is for professionals ("Elm Road Primary School"), never a relationship.
    """

    role: Role
    name: str = ""
    relationship: str = ""
    organisation: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()  # E.164, in the order given: the chair rings them in turn
    postal_address: str = ""  # for letters by post, where a family has no email

    def __post_init__(self) -> None:
        if not (self.name or self.organisation):
            raise InvalidRequestError(f"a {self.role.value.replace('_', ' ')} needs a name")
        for phone in self.phones:
            _check_phone(phone, f"{self.role.value.replace('_', ' ')}'s")
        for email in self.emails:
            _check_email(email, f"{self.role.value.replace('_', ' ')}'s")

    @property
    def email(self) -> str:
        """The first address given, or ""."""
        return self.emails[0] if self.emails else ""

    @property
    def phone(self) -> str:
        """The first number given, or ""."""
        return self.phones[0] if self.phones else ""

    @property
    def is_agency(self) -> bool:
        """Whether this person speaks for a partner agency."""
        return self.role in AGENCY_ROLES


@dataclass(frozen=True, slots=True)
class ConferenceRequest:
    """Everything a social worker's request says about the conference they want."""

    conference_type: ConferenceType
    children: tuple[Child, ...]
    people: tuple[Person, ...] = ()
    # Required for an ICPC: its statutory 15 working days run from this discussion.
    strategy_discussion_date: date | None = None
    preferred_format: MeetingFormat | None = None  # the chair decides; this is a wish
    preferred_format_reason: str = ""
    preferred_chair: str | None = None  # the chair's email address
    preferred_start: datetime | None = None  # aware, UTC
    confidential_section_requested: bool = False
    confidential_section_reason: str = ""
    access_needs: str = ""  # interpreter, hearing loop, step-free access...: free text
    previous_reference: str | None = None  # the earlier conference, as written; may predate confbot

    def __post_init__(self) -> None:
        if not self.children:
            raise InvalidRequestError("a request needs at least one child")
        if self.conference_type is ConferenceType.ICPC and self.strategy_discussion_date is None:
            raise InvalidRequestError("an ICPC request needs the strategy discussion date")
        if self.preferred_start is not None and self.preferred_start.tzinfo is None:
            raise InvalidRequestError("the preferred start must carry a time zone")
        if self.preferred_chair is not None:
            _check_email(self.preferred_chair, "preferred chair's")

    def with_role(self, *roles: Role) -> tuple[Person, ...]:
        """The people in any of ``roles``, in the order the request gives them."""
        return tuple(p for p in self.people if p.role in roles)

    @property
    def social_worker(self) -> Person | None:
        """The allocated social worker, if the request names one."""
        return next(iter(self.with_role(Role.SOCIAL_WORKER)), None)

    @property
    def team_manager(self) -> Person | None:
        """The social worker's manager, if the request names one."""
        return next(iter(self.with_role(Role.TEAM_MANAGER)), None)

    @property
    def parents(self) -> tuple[Person, ...]:
        """Parents and carers."""
        return self.with_role(Role.PARENT)

    @property
    def agencies(self) -> tuple[Person, ...]:
        """The partner agencies, each with the person who speaks for it where named."""
        return tuple(p for p in self.people if p.is_agency)
