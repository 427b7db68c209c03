"""Field values to a ConferenceRequest, or every reason it cannot be one."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from bot.core.conference import CaseReference, ConferenceType, MeetingFormat, Role
from bot.core.reference import REFERENCE_PATTERN
from bot.core.request import Child, ConferenceRequest, InvalidRequestError, Person
from bot.intake import fields as read
from bot.intake.extract import ADDITIVE, Fields
from bot.intake.labels import AGENCY, CHILD, PARENT, SOCIAL_WORKER, TEAM_MANAGER, FieldKey

T = TypeVar("T")
_WS = re.compile(r"\s+")
# No real value is longer; capping here also keeps every value reader's regexes linear.
_VALUE_LIMIT = 300
_FREE_TEXT_LIMIT = 5000
_FREE_TEXT = frozenset({"access_needs", "confidential_reason"})


def _quote(text: str) -> str:
    text = _WS.sub(" ", text).strip()
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


class _Reader:
    """Collects reasons and warnings while reading each field."""

    def __init__(self, fields: Fields, received_at: datetime) -> None:
        self.fields = fields
        self.received = received_at.astimezone(read.LONDON).date()
        self.reasons: list[str] = []
        self.warnings: list[str] = []

    def text(self, group: str, index: int, name: str) -> str | None:
        values = self.fields.values.get((group, index, name))
        if not values:
            return None
        distinct: dict[str, str] = {}
        for value in values:
            distinct.setdefault(_WS.sub(" ", value.text).strip().casefold(), value.text)
        if (group, name) in ADDITIVE:
            return " ; ".join(distinct.values())
        if len(distinct) > 1:
            shown = " and ".join(f"{_quote(v.text)} ({v.source})" for v in values[:3])
            self.reasons.append(
                f"field '{self._label(group, index, name)}' is given more than once "
                f"with different values: {shown}"
            )
            return None
        return values[0].text

    def value(
        self, group: str, index: int, name: str, reader: Callable[[str], T], *, required: bool
    ) -> T | None:
        text = self.text(group, index, name)
        if text is None:
            if required and (group, index, name) not in self.fields.values:
                self.reasons.append(f"missing field '{self._label(group, index, name)}'")
            return None
        limit = _FREE_TEXT_LIMIT if name in _FREE_TEXT else _VALUE_LIMIT
        try:
            if len(text) > limit:
                raise read.FieldError(f"is too long for this field ({len(text)} characters)")
            return reader(text)
        except read.FieldError as err:
            self.reasons.append(f"field '{self._label(group, index, name)}': {_quote(text)} {err}")
            return None

    def indices(self, group: str) -> list[int]:
        return sorted({k[1] for k in self.fields.values if k[0] == group})

    @staticmethod
    def _label(group: str, index: int, name: str) -> str:
        return FieldKey(group, name, index or None).display()


def _reference(text: str) -> str:
    match = REFERENCE_PATTERN.search(text)
    if match is None:
        raise read.FieldError("is not a conference reference such as CP-2026-00042")
    return match.group(0)


def _child(r: _Reader, i: int) -> Child | None:
    reference = r.value(CHILD, i, "case_reference", read.read_case_reference, required=True)
    initials = r.value(CHILD, i, "initials", read.read_initials, required=True)
    birth = r.value(CHILD, i, "date_of_birth", read.read_birth, required=True)
    due = r.value(CHILD, i, "due_date", read.find_date, required=False)
    if reference is None or initials is None or birth is None:
        return None
    born, unborn, due_in_birth = birth
    due = due or due_in_birth
    label = f"Child {i}"
    if born is not None and born > r.received:
        r.reasons.append(f"field '{label} date of birth': {born:%d/%m/%Y} is in the future")
        return None
    if unborn and due is None:
        r.warnings.append(f"{label} is unborn but no due date was given")
    if due is not None and not unborn:
        r.warnings.append(
            f"{label} has a due date but a date of birth too; the due date was ignored"
        )
        due = None
    if due is not None and due < r.received:
        r.warnings.append(f"{label}'s due date has passed: has the baby been born?")
    refs = (CaseReference("", reference, primary=True),) if reference else ()
    return Child(initials, born, unborn, due, refs)


def _parent(r: _Reader, i: int) -> Person | None:
    name = r.value(PARENT, i, "name", str.strip, required=True)
    phones = r.value(PARENT, i, "phone", read.find_phones, required=False) or ()
    email = r.value(PARENT, i, "email", read.find_email, required=False) or ""
    relationship = r.value(PARENT, i, "relationship", str.strip, required=False) or ""
    if name is None:
        return None
    if not phones:
        r.warnings.append(f"Parent {i} has no phone number: the chair needs one to call them")
    emails = (email,) if email else ()
    return Person(Role.PARENT, name, relationship, emails=emails, phones=tuple(phones))


def _agency(r: _Reader, i: int) -> Person | None:
    organisation = r.value(AGENCY, i, "organisation", str.strip, required=True)
    role_text = r.value(AGENCY, i, "role", str.strip, required=False)
    contact = r.value(AGENCY, i, "contact_name", str.strip, required=False) or ""
    email = r.value(AGENCY, i, "email", read.find_email, required=False) or ""
    phones = r.value(AGENCY, i, "phone", read.find_phones, required=False) or ()
    if organisation is None:
        return None
    role = read.read_role(role_text or organisation)
    if not email:
        r.warnings.append(f"Agency {i} has no email address: reports cannot be shared with it")
    return Person(
        role, contact, organisation=organisation, emails=(email,) if email else (), phones=phones
    )


def _professional(r: _Reader, group: str, *, email_required: bool) -> Person | None:
    name = r.value(group, 1, "name", str.strip, required=True)
    email = r.value(group, 1, "email", read.find_email, required=email_required) or ""
    phones = r.value(group, 1, "phone", read.find_phones, required=False) or ()
    if name is None:
        return None
    role = Role.SOCIAL_WORKER if group == SOCIAL_WORKER else Role.TEAM_MANAGER
    return Person(role, name, emails=(email,) if email else (), phones=phones[:1])


def _preferences(
    r: _Reader, received_at: datetime
) -> tuple[MeetingFormat | None, str | None, datetime | None]:
    """The format, chair and start the requester would like, if they said."""
    fmt_note = r.value("", 0, "preferred_format", read.read_format, required=False)
    fmt: MeetingFormat | None = None
    if fmt_note is not None:
        fmt, note = fmt_note
        if note:
            r.warnings.append(note)
    chair = r.value("", 0, "preferred_chair", read.find_email, required=False)
    start = r.value("", 0, "preferred_start", read.find_datetime, required=False)
    if start is not None and start < received_at:
        r.warnings.append("the preferred start is before the request was sent")
    return fmt, chair, start


def _confidential(r: _Reader) -> tuple[bool | None, str]:
    """Whether a confidential section is asked for, and the reason given."""
    confidential = r.value("", 0, "confidential", read.read_yes_no, required=False)
    reason = r.value("", 0, "confidential_reason", str.strip, required=False) or ""
    if confidential is None and reason and reason.casefold() not in ("n/a", "none", "no"):
        confidential = True
        r.warnings.append("a confidential section reason was given, so one is taken as requested")
    if confidential and not reason:
        r.warnings.append("a confidential section is requested without a reason")
    return confidential, reason


def assemble(
    fields: Fields, received_at: datetime
) -> tuple[ConferenceRequest | None, list[str], list[str]]:
    """The request, the reasons it cannot be made (if any), and warnings for the admin team."""
    r = _Reader(fields, received_at)
    kind = r.value("", 0, "conference_type", read.read_conference_type, required=True)
    strategy = r.value("", 0, "strategy_date", read.find_date, required=kind is ConferenceType.ICPC)
    if strategy is not None and strategy > r.received:
        r.reasons.append(
            f"field 'Strategy discussion date': {strategy:%d/%m/%Y} is after the request was sent"
        )
    children = [_child(r, i) for i in r.indices(CHILD) or [1]]
    parents = [_parent(r, i) for i in r.indices(PARENT) or [1]]
    agencies = [_agency(r, i) for i in r.indices(AGENCY)]
    social_worker = _professional(r, SOCIAL_WORKER, email_required=True)
    team_manager = _professional(r, TEAM_MANAGER, email_required=False)
    if social_worker is not None and not social_worker.phone:
        r.warnings.append("no phone number for the social worker")
    if not agencies:
        r.warnings.append("no agencies are listed")
    fmt, chair, start = _preferences(r, received_at)
    confidential, reason = _confidential(r)
    access = r.value("", 0, "access_needs", str.strip, required=False) or ""
    previous = r.value("", 0, "previous_reference", _reference, required=False)
    if r.reasons or kind is None or social_worker is None or team_manager is None:
        return None, r.reasons, r.warnings
    if None in children or None in parents or None in agencies:
        return None, r.reasons, r.warnings
    try:
        request = ConferenceRequest(
            conference_type=kind,
            children=tuple(dict.fromkeys(c for c in children if c is not None)),
            people=(
                social_worker,
                team_manager,
                *dict.fromkeys(p for p in parents if p is not None),
                *dict.fromkeys(a for a in agencies if a is not None),
            ),
            strategy_discussion_date=strategy,
            preferred_format=fmt,
            preferred_chair=chair,
            preferred_start=start,
            confidential_section_requested=bool(confidential),
            confidential_section_reason=reason,
            access_needs=access,
            previous_reference=previous,
        )
    except InvalidRequestError as err:
        return None, [*r.reasons, f"the request breaks a rule: {err}"], r.warnings
    return request, [], r.warnings
