"""Field values to a draft request, with every problem named by the field it is about.

Nothing is guessed: a value is used only when it is read whole, and two different values
for one field are a problem naming both. Everything read goes into the draft, even when
the request cannot be booked, so triage can show it pre-filled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.core.conference import ConferenceType, Role
from bot.core.playbook.intake import IntakeVocabulary
from bot.core.reference import REFERENCE_PATTERN
from bot.core.request import AGENCY_ROLES
from bot.intake import fields as read
from bot.intake.child_line import ChildBits, legal_status, read_child, read_initials
from bot.intake.draft import Draft, Problem, empty_draft
from bot.intake.field_values import Fields
from bot.intake.labels import (
    ADVOCATE,
    AGENCY,
    CHILD,
    NO_NEEDS,
    PARENT,
    SOCIAL_WORKER,
    TEAM_MANAGER,
    YOUNG_PERSON,
)
from bot.intake.line_rules import LEFT_OFF, RETIRED_CONTACT, UNPLACED_CONTACT
from bot.intake.people import (
    People,
    addresses_follow_names,
    left_off,
    one_each,
    read_agency,
    read_person,
    warn_about_contacts,
    young_person_named,
)
from bot.intake.values import FieldReader, quote

_GENDERS = {
    "f": "female", "female": "female", "girl": "female", "m": "male", "male": "male",
    "boy": "male", "non binary": "non-binary", "non-binary": "non-binary",
}  # fmt: skip
_AGENCY_ROLE_VALUES = frozenset(r.value for r in AGENCY_ROLES)
_LEADING_INITIALS = re.compile(r"^\s*(?:[A-Z]\.\s?){2,3}\s*[:\-–]?\s*")
_SPLIT_REFERENCES = re.compile(r"\s*(?:[;,]|\band\b|\s/\s)\s*")


@dataclass(slots=True)
class Assembled:
    """The draft read from the fields, what stops it being booked, and notes for MTS."""

    draft: Draft
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)


def _reference(text: str) -> str:
    match = REFERENCE_PATTERN.search(text)
    return match.group(0) if match else text.strip()


def _gender(text: str) -> str:
    word = read.simple_words(text)
    if word in _GENDERS:
        return _GENDERS[word]
    raise read.FieldError("is not a gender I can read (female, male or non-binary)")


def _initials(text: str) -> str:
    initials = read_initials(text)
    if not initials:
        raise read.FieldError("should be the child's initials, such as T.R.")
    return initials


def _child_references(r: FieldReader, i: int, bits: ChildBits, where: str) -> list[dict[str, Any]]:
    found: dict[str, str] = {}
    for name, system in (
        ("lcs_reference", "LCS"),
        ("mosaic_reference", "Mosaic"),
        ("case_reference", ""),
    ):
        text = r.text(CHILD, i, name, f"{where}.case_references")
        for piece in _SPLIT_REFERENCES.split(text or ""):
            # "LCS number(s) | L.M. 620441": the child's initials beside their number.
            part = _LEADING_INITIALS.sub("", piece)
            if not part.strip():
                continue
            given = dict((ref, sys) for sys, ref in read_child(part).references)
            if not given:
                try:
                    given = {read.read_case_reference(part).upper(): system}
                except read.FieldError as err:
                    r.fail(f"{where}.case_references", f"{quote(part)} {err}")
                    continue
            for ref, sys in given.items():
                found.setdefault(ref, sys or system)
    for system, ref in bits.references:
        found.setdefault(ref, system)
    return [
        {"system": system, "reference": ref, "primary": n == 0}
        for n, (ref, system) in enumerate(found.items())
    ]


def _child(r: FieldReader, i: int, n: int) -> dict[str, Any]:
    where = f"children.{n}"
    entry = r.text(CHILD, i, "entry", f"{where}.initials")
    bits = read_child(entry) if entry else ChildBits()
    if bits.problem:
        r.fail(f"{where}.date_of_birth", f"Child {n + 1}: {quote(entry or '')} {bits.problem}")
    initials = r.value(CHILD, i, "initials", _initials, f"{where}.initials") or bits.initials
    birth = r.value(CHILD, i, "date_of_birth", read.read_birth, f"{where}.date_of_birth")
    due = r.value(
        CHILD, i, "due_date", lambda t: read.find_coming_date(t, r.received), f"{where}.due_date"
    )
    born, unborn, due_in_birth = birth if birth else (bits.date_of_birth, bits.unborn, None)
    if birth and entry and bits.date_of_birth and born and bits.date_of_birth != born:
        r.fail(
            f"{where}.date_of_birth",
            f"Child {n + 1} has two dates of birth: {bits.date_of_birth:%d/%m/%Y} and "
            f"{born:%d/%m/%Y}",
        )
    due = due or due_in_birth or bits.due_date
    if due is not None and born is None:
        unborn = True
    gender = r.value(CHILD, i, "gender", _gender, f"{where}.gender") or bits.gender
    legal = r.value(CHILD, i, "legal_status", legal_status, f"{where}.legal_status")
    child = {
        "initials": initials,
        "date_of_birth": born.isoformat() if born and not unborn else None,
        "unborn": unborn,
        "due_date": due.isoformat() if due and unborn else None,
        "gender": gender,
        "legal_status": (legal or bits.legal_status or "").strip(),
        "case_references": _child_references(r, i, bits, where),
    }
    label = f"Child {n + 1}"
    said = {p.field for p in r.problems}
    # An unborn baby has no initials yet; the expected date says which child it is.
    if not initials and not unborn and f"{where}.initials" not in said:
        r.fail(f"{where}.initials", f"{label}: the initials are missing")
    if born is None and not unborn and f"{where}.date_of_birth" not in said:
        r.fail(f"{where}.date_of_birth", f"{label}: the date of birth is missing (or say unborn)")
    if born is not None and born > r.received:
        r.fail(
            f"{where}.date_of_birth", f"{label}: the date of birth {born:%d/%m/%Y} is in the future"
        )
    if unborn and due is None:
        r.warnings.append(f"{label} is unborn but no due date was given")
    if due is not None and unborn and due < r.received:
        r.warnings.append(f"{label}'s due date has passed: has the baby been born?")
    return child


def _singles(
    r: FieldReader, draft: Draft, received_at: datetime, written_on: date | None = None
) -> None:
    kind = r.value("", 0, "conference_type", read.read_conference_type, "conference_type")
    draft["conference_type"] = kind.value if kind else None
    # "Strategy this afternoon", in a request forwarded days later: the day it was written.
    today = min(written_on, r.received) if written_on is not None else r.received
    strategy = r.value(
        "",
        0,
        "strategy_date",
        lambda text: read.find_recent_date(text, today),
        "strategy_discussion_date",
    )
    if strategy is not None and strategy > r.received:
        r.fail(
            "strategy_discussion_date",
            f"the strategy discussion date {strategy:%d/%m/%Y} is after the request was sent",
        )
    draft["strategy_discussion_date"] = strategy.isoformat() if strategy else None
    fmt_note = r.value("", 0, "preferred_format", read.read_format, "preferred_format")
    if fmt_note is not None:
        fmt, note = fmt_note
        draft["preferred_format"] = fmt.value if fmt else None
        if note:
            r.warnings.append(note)
    draft["preferred_chair"] = r.value("", 0, "preferred_chair", read.find_email, "preferred_chair")
    start = r.value("", 0, "preferred_start", read.find_datetime, "preferred_start")
    if start is not None and start < received_at:
        r.warnings.append("the preferred start is before the request was sent")
    draft["preferred_start"] = start.isoformat() if start else None
    confidential = r.value(
        "", 0, "confidential", read.read_yes_no, "confidential_section_requested"
    )
    reason = r.value("", 0, "confidential_reason", str.strip, "confidential_section_reason") or ""
    said = r.text("", 0, "confidential", "confidential_section_requested") or ""
    # "Confidential section: Yes - dad's probation risk assessment": the reason follows.
    after = re.match(r"^\W*(yes|y|required|requested)\b[\s\-–—,:;.]*(.+)$", said, re.I | re.S)
    if not reason and confidential and after:
        reason = after.group(2).strip()
    if confidential is None and reason and reason.casefold() not in ("n/a", "none", "no"):
        confidential = True
    draft["confidential_section_requested"] = bool(confidential)
    draft["confidential_section_reason"] = reason if confidential else ""
    needs = r.value("", 0, "access_needs", str.strip, "access_needs") or ""
    parts = [p for p in needs.split(" ; ") if p.strip() and not NO_NEEDS.match(p)]
    draft["access_needs"] = " ; ".join(parts)
    draft["previous_reference"] = r.value(
        "", 0, "previous_reference", _reference, "previous_reference"
    )


def _drop_out_of_use(r: FieldReader, people: list[dict[str, Any]], retired: list[str]) -> None:
    """A number or address the request says is out of use is given to no one."""
    for contact in dict.fromkeys(retired):
        for person in people:
            kept_phones = [p for p in person["phones"] if p != contact]
            kept_emails = [e for e in person["emails"] if e.lower() != contact]
            if len(kept_phones) < len(person["phones"]) or len(kept_emails) < len(person["emails"]):
                person["phones"], person["emails"] = kept_phones, kept_emails
                who = person["name"] or person["organisation"] or person["role"]
                r.warnings.append(
                    f"{contact} is said to be out of use, so it is not used for {who}"
                )


def assemble(fields: Fields, received_at: datetime, written_on: date | None = None) -> Assembled:
    """The draft, the problems that stop it being booked, and warnings for the admin team.

    ``written_on`` is the day the request itself was written, when it came forwarded: a
    relative day in it ("yesterday") counts back from then."""
    r = FieldReader(fields, received_at)
    draft = empty_draft()
    _singles(r, draft, received_at, written_on)
    draft["children"] = [_child(r, i, n) for n, i in enumerate(r.indices(CHILD))]
    young_person_is_the_child(r, draft)
    people = People()
    for group, role in ((SOCIAL_WORKER, Role.SOCIAL_WORKER), (TEAM_MANAGER, Role.TEAM_MANAGER)):
        person = read_person(r, group, 1, role, f"people.{len(people.people)}")
        if person is not None:
            people.add(person)
    for group, role in (
        (PARENT, Role.PARENT),
        (YOUNG_PERSON, Role.YOUNG_PERSON),
        (ADVOCATE, Role.ADVOCATE),
    ):
        for i in r.indices(group):
            person = read_person(r, group, i, role, f"people.{len(people.people)}")
            for one in one_each(person) if person is not None else ():
                people.add(one)
    for i in r.indices(AGENCY):
        agency = read_agency(r, i, f"people.{len(people.people)}")
        if agency is not None:
            people.add(agency)
    draft["people"] = people.people
    _drop_out_of_use(
        r, people.people, [v.text for v in fields.values.get(("", 0, RETIRED_CONTACT), [])]
    )
    addresses_follow_names(r, people.people)
    young_person_named(draft)
    warn_about_contacts(r, people.people)
    for value in fields.values.get(("", 0, LEFT_OFF), []):
        r.warnings.append(left_off(value.text))
    for value in fields.values.get(("", 0, UNPLACED_CONTACT), []):
        r.warnings.append(
            f"{quote(value.text)} was given for several people at once, and whose it is was not"
            " guessed: please add it to the right person"
        )
    return Assembled(draft, r.problems, r.warnings, r.sources)


def young_person_is_the_child(r: FieldReader, draft: Draft) -> None:
    """ "Young person: E.M." names the child too: their initials are the child's."""
    for i in r.indices(YOUNG_PERSON):
        said = r.text(YOUNG_PERSON, i, "name", "") or ""
        initials = read_initials(said) if len(said) < 12 else ""
        if not initials:
            continue
        if not draft["children"]:
            draft["children"].append(_child(r, -1, 0))
        for child in draft["children"]:
            if not child["initials"]:
                child["initials"] = initials
                r.problems[:] = [p for p in r.problems if p.field != "children.0.initials"]
                break


def check_complete(assembled: Assembled, *, required: frozenset[str]) -> None:
    """Add a problem for each thing a booking needs that the draft does not have."""
    draft, problems = assembled.draft, assembled.problems
    if draft["conference_type"] is None and not any(p.field == "conference_type" for p in problems):
        problems.append(
            Problem("conference_type", "the conference type is not given (ICPC, RCPC, TI or LAC)")
        )
    kind = draft["conference_type"]
    if (
        kind == ConferenceType.ICPC.value
        and draft["strategy_discussion_date"] is None
        and not any(p.field == "strategy_discussion_date" for p in problems)
    ):
        problems.append(
            Problem(
                "strategy_discussion_date",
                "an ICPC needs the date of the strategy discussion, and none is given",
            )
        )
    if not draft["children"]:
        problems.append(Problem("children", "no child is named (initials and date of birth)"))
    if "case_reference" in required:
        for n, child in enumerate(draft["children"]):
            if not child["unborn"] and not child["case_references"]:
                problems.append(
                    Problem(
                        f"children.{n}.case_references",
                        f"Child {n + 1}: no case reference is given (LCS, Mosaic or the "
                        "council's own number)",
                    )
                )
    roles = {p["role"] for p in draft["people"]}
    for role in sorted(required - {"case_reference"}):
        if role not in roles:
            problems.append(Problem("people", f"no {role.replace('_', ' ')} is named"))
    for n, person in enumerate(draft["people"]):
        if not person["name"] and not person["organisation"]:
            problems.append(
                Problem(
                    f"people.{n}.name",
                    f"a {person['role'].replace('_', ' ')} is named without a name",
                )
            )


def today_of(received_at: datetime) -> date:
    """The day a message arrived, in England."""
    return received_at.astimezone(read.LONDON).date()


def name_systems(draft: Draft, vocabulary: IntakeVocabulary) -> None:
    """Name the case system of each reference that matches one of the council's patterns."""
    if not vocabulary.case_reference_systems:
        return
    for child in draft["children"]:
        for ref in child["case_references"]:
            if not ref["system"]:
                ref["system"] = vocabulary.system_of(ref["reference"])
