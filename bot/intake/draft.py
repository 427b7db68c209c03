"""A request as plain data: what was read, in the shape a person checks and corrects.

The reader fills a draft from the email; a complete draft becomes a ``ConferenceRequest``.
A draft that cannot be one goes to triage whole, with its problems, so MTS correct one
field on a pre-filled form instead of retyping the email. The same shape is what the
corpus sidecars in ``tests/fixtures/requests/`` hold, so the benchmark compares like with like.

Shape (JSON)::

    {"conference_type": "ICPC", "strategy_discussion_date": "2026-11-20",
     "preferred_format": "teams", "preferred_format_reason": "",
     "preferred_chair": null, "preferred_start": null,
     "confidential_section_requested": false, "confidential_section_reason": "",
     "access_needs": "", "previous_reference": null,
     "children": [{"initials": "T.R.", "date_of_birth": "2018-03-02", "unborn": false,
                   "due_date": null, "gender": "", "legal_status": "",
                   "case_references": [{"system": "LCS", "reference": "123456",
                                        "primary": true}]}],
     "people": [{"role": "parent", "name": "Kelly Dawes", "relationship": "mother",
                 "organisation": "", "emails": [], "phones": ["+447700900611"]}]}

A problem names the field it is about by path ("children.0.date_of_birth", "people.2.emails")
or "" for the request as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.core.conference import CaseReference, ConferenceType, MeetingFormat, Role
from bot.core.errors import ActionRefused
from bot.core.request import (
    Child,
    ConferenceRequest,
    InvalidRequestError,
    Person,
    is_email,
    normalise_phone,
)

Draft = dict[str, Any]

# Longest text a person could mean for one field; beyond it, the form is being abused.
_TEXT_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class Problem:
    """What a person must fix, and where: ``field`` is a draft path or ""."""

    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        """The problem as the API and the triage item store it."""
        return {"field": self.field, "message": self.message}


class DraftProblems(ValueError):
    """A draft is not yet a request; ``problems`` says each thing that is wrong."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))


class DraftRefused(ActionRefused):
    """A person's corrected request is not complete yet; ``problems`` names each field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "; ".join(p.message for p in self.problems) or "the request is not complete"
        )


def empty_draft() -> Draft:
    """A draft with nothing read yet."""
    return {
        "conference_type": None,
        "strategy_discussion_date": None,
        "preferred_format": None,
        "preferred_format_reason": "",
        "preferred_chair": None,
        "preferred_start": None,
        "confidential_section_requested": False,
        "confidential_section_reason": "",
        "access_needs": "",
        "previous_reference": None,
        "children": [],
        "people": [],
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def child_json(child: Child) -> dict[str, Any]:
    """One child of a request, as a draft holds it."""
    return {
        "initials": child.initials,
        "date_of_birth": _day(child.date_of_birth),
        "unborn": child.unborn,
        "due_date": _day(child.due_date),
        "gender": child.gender,
        "legal_status": child.legal_status,
        "case_references": [
            {"system": r.system, "reference": r.reference, "primary": r.primary}
            for r in child.case_references
        ],
    }


def person_json(person: Person) -> dict[str, Any]:
    """One person of a request, as a draft holds them."""
    return {
        "role": person.role.value,
        "name": person.name,
        "relationship": person.relationship,
        "organisation": person.organisation,
        "emails": list(person.emails),
        "phones": list(person.phones),
        "postal_address": person.postal_address,
    }


def draft_of(request: ConferenceRequest) -> Draft:
    """The draft a complete request came from (or would have)."""
    fmt = request.preferred_format
    start = request.preferred_start
    return {
        "conference_type": request.conference_type.value,
        "strategy_discussion_date": _day(request.strategy_discussion_date),
        "preferred_format": fmt.value if fmt else None,
        "preferred_format_reason": request.preferred_format_reason,
        "preferred_chair": request.preferred_chair,
        "preferred_start": start.isoformat() if start else None,
        "confidential_section_requested": request.confidential_section_requested,
        "confidential_section_reason": request.confidential_section_reason,
        "access_needs": request.access_needs,
        "previous_reference": request.previous_reference,
        "children": [child_json(c) for c in request.children],
        "people": [person_json(p) for p in request.people],
    }


class _Checker:
    """Reads a draft's values, collecting every problem rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(where, "should be text")
            return ""
        if len(value) > _TEXT_LIMIT:
            self.fail(where, f"is too long ({len(value)} characters)")
            return ""
        return value.strip()

    def day(self, data: Mapping[str, Any], key: str, where: str) -> date | None:
        text = self.text(data, key, where)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(where, f"'{text[:40]}' is not a date (YYYY-MM-DD)")
            return None

    def flag(self, data: Mapping[str, Any], key: str, where: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.fail(where, "should be true or false")
            return False
        return value

    def items(self, data: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.fail(where, "should be a list")
            return []
        return value

    def choice(self, data: Mapping[str, Any], key: str, where: str, kind: type[Any]) -> Any:
        text = self.text(data, key, where)
        if not text:
            return None
        try:
            return kind(text)
        except ValueError:
            names = ", ".join(m.value for m in kind)
            self.fail(where, f"'{text[:40]}' is not one of {names}")
            return None


def _child(c: _Checker, data: Any, where: str) -> Child | None:
    if not isinstance(data, Mapping):
        c.fail(where, "should be a child's details")
        return None
    refs: list[CaseReference] = []
    for j, ref in enumerate(c.items(data, "case_references", f"{where}.case_references")):
        at = f"{where}.case_references.{j}"
        if not isinstance(ref, Mapping):
            c.fail(at, "should be a case reference")
            continue
        reference = c.text(ref, "reference", f"{at}.reference")
        if reference:
            refs.append(
                CaseReference(
                    c.text(ref, "system", f"{at}.system"),
                    reference,
                    c.flag(ref, "primary", f"{at}.primary"),
                )
            )
    initials = c.text(data, "initials", f"{where}.initials")
    born = c.day(data, "date_of_birth", f"{where}.date_of_birth")
    unborn = c.flag(data, "unborn", f"{where}.unborn")
    if not initials and not unborn:
        c.fail(f"{where}.initials", "the child's initials are missing")
    due = c.day(data, "due_date", f"{where}.due_date")
    if not unborn and born is None:
        # A date that could not be read is already said; "missing" would say it twice.
        if not any(p.field == f"{where}.date_of_birth" for p in c.problems):
            c.fail(
                f"{where}.date_of_birth", "the child's date of birth is missing (or mark unborn)"
            )
        return None
    try:
        return Child(
            initials=initials,
            date_of_birth=None if unborn else born,
            unborn=unborn,
            due_date=due if unborn else None,
            case_references=tuple(refs),
            gender=c.text(data, "gender", f"{where}.gender"),
            legal_status=c.text(data, "legal_status", f"{where}.legal_status"),
        )
    except InvalidRequestError as err:
        c.fail(where, str(err))
        return None


def _person(c: _Checker, data: Any, where: str) -> Person | None:
    if not isinstance(data, Mapping):
        c.fail(where, "should be a person's details")
        return None
    role = c.choice(data, "role", f"{where}.role", Role)
    emails: list[str] = []
    for j, email in enumerate(c.items(data, "emails", f"{where}.emails")):
        text = email.strip() if isinstance(email, str) else ""
        if text and is_email(text):
            emails.append(text)
        elif text:
            c.fail(f"{where}.emails.{j}", f"'{text[:80]}' is not a whole email address")
    phones: list[str] = []
    for j, phone in enumerate(c.items(data, "phones", f"{where}.phones")):
        text = phone.strip() if isinstance(phone, str) else ""
        e164 = normalise_phone(text) if text else None
        if e164:
            phones.append(e164)
        elif text:
            c.fail(f"{where}.phones.{j}", f"'{text[:40]}' is not a phone number")
    if role is None:
        c.fail(f"{where}.role", "say what part this person plays")
        return None
    try:
        return Person(
            role=role,
            name=c.text(data, "name", f"{where}.name"),
            relationship=c.text(data, "relationship", f"{where}.relationship"),
            organisation=c.text(data, "organisation", f"{where}.organisation"),
            emails=tuple(dict.fromkeys(emails)),
            phones=tuple(dict.fromkeys(phones)),
            postal_address=c.text(data, "postal_address", f"{where}.postal_address")[:300],
        )
    except InvalidRequestError as err:
        c.fail(f"{where}.name", str(err))
        return None


def request_of(draft: Mapping[str, Any]) -> ConferenceRequest:
    """The request a draft describes, or DraftProblems naming every field to fix."""
    c = _Checker()
    kind = c.choice(draft, "conference_type", "conference_type", ConferenceType)
    if kind is None and not c.problems:
        c.fail("conference_type", "the conference type is missing (ICPC, RCPC, TI or LAC)")
    strategy = c.day(draft, "strategy_discussion_date", "strategy_discussion_date")
    said = {p.field for p in c.problems}
    if kind is ConferenceType.ICPC and strategy is None and "strategy_discussion_date" not in said:
        c.fail("strategy_discussion_date", "an ICPC needs the date of the strategy discussion")
    children = [
        _child(c, d, f"children.{i}") for i, d in enumerate(c.items(draft, "children", "children"))
    ]
    if not children:
        c.fail("children", "no child is named")
    listed = c.items(draft, "people", "people")
    people = [_person(c, d, f"people.{i}") for i, d in enumerate(listed)]
    fmt = c.choice(draft, "preferred_format", "preferred_format", MeetingFormat)
    chair = c.text(draft, "preferred_chair", "preferred_chair") or None
    if chair and not is_email(chair):
        c.fail("preferred_chair", f"'{chair[:80]}' is not a whole email address")
    start: datetime | None = None
    start_text = c.text(draft, "preferred_start", "preferred_start")
    if start_text:
        try:
            start = datetime.fromisoformat(start_text)
        except ValueError:
            c.fail("preferred_start", f"'{start_text[:40]}' is not a date and time")
        if start is not None and start.tzinfo is None:
            c.fail("preferred_start", "the preferred start needs a time zone")
    if c.problems or kind is None or None in children or None in people:
        raise DraftProblems(c.problems)
    try:
        return ConferenceRequest(
            conference_type=kind,
            children=tuple(x for x in children if x is not None),
            people=tuple(p for p in people if p is not None),
            strategy_discussion_date=strategy,
            preferred_format=fmt,
            preferred_format_reason=c.text(draft, "preferred_format_reason", ""),
            preferred_chair=chair,
            preferred_start=start,
            confidential_section_requested=c.flag(draft, "confidential_section_requested", ""),
            confidential_section_reason=c.text(draft, "confidential_section_reason", ""),
            access_needs=c.text(draft, "access_needs", "access_needs"),
            previous_reference=c.text(draft, "previous_reference", "previous_reference") or None,
        )
    except InvalidRequestError as err:
        raise DraftProblems([*c.problems, Problem("", str(err))]) from None
