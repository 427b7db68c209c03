"""Field values to a draft request, with every problem named by the field it is about.

Nothing is guessed: a value is used only when it is read whole, and two different values
for one field are a problem naming both. Everything read goes into the draft, even when
the request cannot be booked, so triage can show it pre-filled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from bot.core.conference import ConferenceType, Role
from bot.core.playbook.intake import IntakeVocabulary
from bot.core.reference import REFERENCE_PATTERN
from bot.core.request import AGENCY_ROLES
from bot.intake import fields as read
from bot.intake.child_line import ChildBits, legal_status, read_child, read_initials
from bot.intake.draft import Draft, Problem, empty_draft
from bot.intake.extract import ADDITIVE, Fields
from bot.intake.inline import Contact, find_emails, read_contact
from bot.intake.labels import (
    ADVOCATE,
    AGENCY,
    CHILD,
    PARENT,
    SOCIAL_WORKER,
    TEAM_MANAGER,
    YOUNG_PERSON,
    FieldKey,
    family_relationship,
)

T = TypeVar("T")
_WS = re.compile(r"\s+")
# No real value is longer; capping here also keeps every value reader's regexes linear.
_VALUE_LIMIT = 400
_FREE_TEXT_LIMIT = 5000
_FREE_TEXT = frozenset({"access_needs", "confidential_reason", "preferred_format"})
_GENDERS = {
    "f": "female", "female": "female", "girl": "female", "m": "male", "male": "male",
    "boy": "male", "non binary": "non-binary", "non-binary": "non-binary",
}  # fmt: skip
_ROLE_AS_ORGANISATION = {
    "gp": "GP", "camhs": "CAMHS", "looked after children nurse": "LAC nurse", "dsl": "School",
    "designated safeguarding lead": "School", "hv": "Health visitor",
}  # fmt: skip
_AGENCY_ROLE_VALUES = frozenset(r.value for r in AGENCY_ROLES)
# Fields that gather many values (every number, every reference): checked one by one.
_LONG_OK = frozenset({(CHILD, "entry")})
_NO_NEEDS = re.compile(
    r"^\s*(none|no|n/?a|nil|not (known|needed|required|applicable)|none (known|identified)|"
    r"no (interpreter|access needs|needs)( (needed|required|known))?)\W*$",
    re.IGNORECASE,
)
_NONE = re.compile(
    r"^\s*(none|no|n/?a|nil|not known|unknown|tbc|not given|no (phone|number|mobile)\w*|-+)\W*$",
    re.IGNORECASE,
)
_SPLIT_REFERENCES = re.compile(r"\s*(?:[;,]|\band\b|\s/\s)\s*")


def _quote(text: str) -> str:
    text = _WS.sub(" ", text).strip()
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


@dataclass(slots=True)
class Assembled:
    """The draft read from the fields, what stops it being booked, and notes for MTS."""

    draft: Draft
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)


class _Reader:
    """Reads each field's values, collecting problems and sources as it goes."""

    def __init__(self, fields: Fields, received_at: datetime) -> None:
        self.fields = fields
        self.received = received_at.astimezone(read.LONDON).date()
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.sources: dict[str, str] = {}

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def text(self, group: str, index: int, name: str, where: str) -> str | None:
        values = self.fields.values.get((group, index, name))
        if not values:
            return None
        distinct: dict[str, str] = {}
        for value in values:
            distinct.setdefault(_WS.sub(" ", value.text).strip().casefold(), value.text)
        self.sources.setdefault(where, values[0].source)
        limit = _FREE_TEXT_LIMIT if name in _FREE_TEXT else _VALUE_LIMIT
        longest = max(len(v.text) for v in values)
        if longest > limit and (group, name) not in _LONG_OK:
            self.fail(
                where,
                f"field '{self.label(group, index, name)}' is too long for this field "
                f"({longest} characters)",
            )
            return None
        if (group, name) in ADDITIVE:
            return " ; ".join(distinct.values())
        if len(distinct) > 1:
            shown = " and ".join(f"{_quote(v.text)} ({v.source})" for v in values[:3])
            self.fail(
                where,
                f"field '{self.label(group, index, name)}' is given more than once with different "
                f"values: {shown}",
            )
            return None
        return values[0].text

    def value(
        self,
        group: str,
        index: int,
        name: str,
        reader: Callable[[str], T],
        where: str,
    ) -> T | None:
        text = self.text(group, index, name, where)
        if text is None:
            return None
        limit = _FREE_TEXT_LIMIT if name in _FREE_TEXT else _VALUE_LIMIT
        try:
            if len(text) > limit:
                raise read.FieldError(f"is too long for this field ({len(text)} characters)")
            return reader(text)
        except read.FieldError as err:
            self.fail(where, f"field '{self.label(group, index, name)}': {_quote(text)} {err}")
            return None

    def indices(self, group: str) -> list[int]:
        return sorted({k[1] for k in self.fields.values if k[0] == group})

    def emails(self, text: str | None, where: str) -> list[str]:
        """Every whole address in ``text``; a cut-off or broken one is a problem, never kept."""
        if not text:
            return []
        found, broken, _ = find_emails(text)
        for bad in broken:
            self.fail(where, f"{_quote(bad)} is not a whole email address; please check it")
        return list(found)

    def phones(self, text: str | None, where: str = "", label: str = "") -> list[str]:
        if not text:
            return []
        try:
            return list(read.find_phones(text))
        except read.FieldError as err:
            if where and not _NONE.match(text):
                self.fail(where, f"field '{label}': {_quote(text)} {err}")
            return []

    @staticmethod
    def label(group: str, index: int, name: str) -> str:
        shown = {"entry": "details", "lcs_reference": "LCS number"}
        display = FieldKey(group, name, index or None)
        try:
            return display.display().replace(
                name.replace("_", " "), shown.get(name, name.replace("_", " "))
            )
        except KeyError:
            return name.replace("_", " ")


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


def _child_references(r: _Reader, i: int, bits: ChildBits, where: str) -> list[dict[str, Any]]:
    found: dict[str, str] = {}
    for name, system in (
        ("lcs_reference", "LCS"),
        ("mosaic_reference", "Mosaic"),
        ("case_reference", ""),
    ):
        text = r.text(CHILD, i, name, f"{where}.case_references")
        for part in _SPLIT_REFERENCES.split(text or ""):
            if not part.strip():
                continue
            given = dict((ref, sys) for sys, ref in read_child(part).references)
            if not given:
                try:
                    given = {read.read_case_reference(part).upper(): system}
                except read.FieldError as err:
                    r.fail(f"{where}.case_references", f"{_quote(part)} {err}")
                    continue
            for ref, sys in given.items():
                found.setdefault(ref, sys or system)
    for system, ref in bits.references:
        found.setdefault(ref, system)
    return [
        {"system": system, "reference": ref, "primary": n == 0}
        for n, (ref, system) in enumerate(found.items())
    ]


def _child(r: _Reader, i: int, n: int) -> dict[str, Any]:
    where = f"children.{n}"
    entry = r.text(CHILD, i, "entry", f"{where}.initials")
    bits = read_child(entry) if entry else ChildBits()
    if bits.problem:
        r.fail(f"{where}.date_of_birth", f"Child {n + 1}: {_quote(entry or '')} {bits.problem}")
    initials = r.value(CHILD, i, "initials", _initials, f"{where}.initials") or bits.initials
    birth = r.value(CHILD, i, "date_of_birth", read.read_birth, f"{where}.date_of_birth")
    due = r.value(CHILD, i, "due_date", read.find_date, f"{where}.due_date")
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


@dataclass(slots=True)
class _People:
    """The people read so far, in the order a conference lists them."""

    people: list[dict[str, Any]] = field(default_factory=list)

    def add(self, person: dict[str, Any]) -> int:
        relative = self._same_relative(person)
        if relative is not None:
            return relative
        full = person["name"].casefold()
        # Worked out once, not again for each person known: a long list made that heavy.
        whole_name = len(full.split()) >= 2
        same = (person["role"], full, person["organisation"].casefold())
        for n, known in enumerate(self.people):
            known_name = known["name"].casefold()
            if whole_name and known_name == full:
                # One person named twice ("SW: Donna Raistrick" and again in the agency
                # list): one entry, in the role named first, with every way to reach them.
                known["emails"] = list(dict.fromkeys([*known["emails"], *person["emails"]]))
                known["phones"] = list(dict.fromkeys([*known["phones"], *person["phones"]]))
                known["organisation"] = known["organisation"] or person["organisation"]
                return n
            if (known["role"], known_name, known["organisation"].casefold()) == same:
                known["emails"] = list(dict.fromkeys([*known["emails"], *person["emails"]]))
                known["phones"] = list(dict.fromkeys([*known["phones"], *person["phones"]]))
                return n
        self.people.append(person)
        return len(self.people) - 1

    def _same_relative(self, person: dict[str, Any]) -> int | None:
        """ "Dad is Liam Gallagher" and "Dad's number: 07700 900231" are one person.

        Only when exactly one of the family has that relationship and one of the two has
        no name; two fathers, or two names, stay apart.
        """
        relationship = person["relationship"]
        if not relationship or person["organisation"]:
            return None
        kin = [
            n
            for n, known in enumerate(self.people)
            if known["role"] == person["role"] and known["relationship"] == relationship
        ]
        if len(kin) != 1:
            return None
        known = self.people[kin[0]]
        if bool(known["name"]) == bool(person["name"]) or known["organisation"]:
            return None
        known["name"] = known["name"] or person["name"]
        known["emails"] = list(dict.fromkeys([*known["emails"], *person["emails"]]))
        known["phones"] = list(dict.fromkeys([*known["phones"], *person["phones"]]))
        return kin[0]


def _person(
    r: _Reader, group: str, i: int, role: Role, where: str, *, name_field: str = "name"
) -> dict[str, Any] | None:
    name_text = r.text(group, i, name_field, f"{where}.name")
    contact = read_contact(name_text) if name_text else Contact()
    emails = [
        *contact.emails,
        *r.emails(r.text(group, i, "email", f"{where}.emails"), f"{where}.emails"),
    ]
    for bad in contact.broken_emails:
        r.fail(f"{where}.emails", f"{_quote(bad)} is not a whole email address; please check it")
    phone_text = r.text(group, i, "phone", f"{where}.phones")
    phones = [*contact.phones, *r.phones(phone_text, f"{where}.phones", r.label(group, i, "phone"))]
    relationship = ""
    if group == PARENT:
        said = r.text(group, i, "relationship", f"{where}.relationship") or ""
        relationship = family_relationship(said) or said.strip().lower()
        if not relationship:
            said_roles = (*contact.roles, *contact.bracketed)
            relationship = next((m for m in map(family_relationship, said_roles) if m), "")
    name = contact.name
    if not name and name_text and not (contact.emails or contact.phones):
        name = name_text.strip() if len(name_text) <= 80 else ""
    if not (name or emails or phones):
        return None
    return {
        "role": role.value,
        "name": name,
        "relationship": relationship,
        "organisation": contact.organisation if group in (ADVOCATE,) else "",
        "emails": list(dict.fromkeys(emails)),
        "phones": list(dict.fromkeys(phones)),
        "postal_address": (r.text(group, i, "postal_address", f"{where}.postal_address") or "")[
            :300
        ],
    }


def _agency(r: _Reader, i: int, where: str) -> dict[str, Any] | None:
    role_text = r.text(AGENCY, i, "role", f"{where}.role") or ""
    said_organisation = r.text(AGENCY, i, "organisation", f"{where}.organisation")
    texts = [
        t for t in (said_organisation, r.text(AGENCY, i, "contact_name", f"{where}.name")) if t
    ]
    name, organisation = "", ""
    if said_organisation:
        plain = read_contact(said_organisation)
        if plain.name and not (plain.organisation or plain.emails or plain.phones):
            # "Organisation: Marshby": a place that reads like a name is still the place.
            organisation = said_organisation.strip()[:120]
            texts = texts[1:]
    emails = r.emails(r.text(AGENCY, i, "email", f"{where}.emails"), f"{where}.emails")
    phones = r.phones(
        r.text(AGENCY, i, "phone", f"{where}.phones"),
        f"{where}.phones",
        r.label(AGENCY, i, "phone"),
    )
    for text in texts:
        contact = read_contact(text)
        emails = [*contact.emails, *emails]
        phones = [*contact.phones, *phones]
        for bad in contact.broken_emails:
            r.fail(
                f"{where}.emails", f"{_quote(bad)} is not a whole email address; please check it"
            )
        name = name or contact.name
        organisation = organisation or contact.organisation
        if contact.roles and not role_text:
            role_text = contact.roles[0]
        for inner in contact.bracketed:
            # "Elm Road Primary (DSL: Sam Ito)": the person in brackets.
            part = inner.split(":", 1)[-1]
            name = name or read_contact(part).name
        if not (contact.name or contact.organisation) and not (contact.emails or contact.phones):
            organisation = organisation or text.strip()[:120]
    if not (name or organisation or emails or phones):
        return None
    role = read.read_role(f"{role_text} {organisation}")
    if not organisation and role_text:
        # "HV: Jo Smith": the health visiting service, as MTS would enter it.
        organisation = _ROLE_AS_ORGANISATION.get(role_text, role_text)
        organisation = organisation[:1].upper() + organisation[1:]
    return {
        "role": role.value,
        "name": name,
        "relationship": "",
        "organisation": organisation,
        "emails": list(dict.fromkeys(emails)),
        "phones": list(dict.fromkeys(phones)),
        "postal_address": "",
    }


def _singles(r: _Reader, draft: Draft, received_at: datetime) -> None:
    kind = r.value("", 0, "conference_type", read.read_conference_type, "conference_type")
    draft["conference_type"] = kind.value if kind else None
    strategy = r.value(
        "",
        0,
        "strategy_date",
        lambda text: read.find_recent_date(text, r.received),
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
    parts = [p for p in needs.split(" ; ") if p.strip() and not _NO_NEEDS.match(p)]
    draft["access_needs"] = " ; ".join(parts)
    draft["previous_reference"] = r.value(
        "", 0, "previous_reference", _reference, "previous_reference"
    )


def assemble(fields: Fields, received_at: datetime) -> Assembled:
    """The draft, the problems that stop it being booked, and warnings for the admin team."""
    r = _Reader(fields, received_at)
    draft = empty_draft()
    _singles(r, draft, received_at)
    draft["children"] = [_child(r, i, n) for n, i in enumerate(r.indices(CHILD))]
    _young_person_is_the_child(r, draft)
    people = _People()
    for group, role in ((SOCIAL_WORKER, Role.SOCIAL_WORKER), (TEAM_MANAGER, Role.TEAM_MANAGER)):
        person = _person(r, group, 1, role, f"people.{len(people.people)}")
        if person is not None:
            people.add(person)
    for group, role in (
        (PARENT, Role.PARENT),
        (YOUNG_PERSON, Role.YOUNG_PERSON),
        (ADVOCATE, Role.ADVOCATE),
    ):
        for i in r.indices(group):
            person = _person(r, group, i, role, f"people.{len(people.people)}")
            if person is not None:
                people.add(person)
    for i in r.indices(AGENCY):
        agency = _agency(r, i, f"people.{len(people.people)}")
        if agency is not None:
            people.add(agency)
    draft["people"] = people.people
    _addresses_follow_names(r, people.people)
    _young_person_named(draft)
    _warn_about_contacts(r, people.people)
    return Assembled(draft, r.problems, r.warnings, r.sources)


def _name_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", name.casefold().replace("'", "")) if len(w) > 2}


def _addresses_follow_names(r: _Reader, people: list[dict[str, Any]]) -> None:
    """An address that spells another person's name is theirs, not the one it sits beside.

    "rhys.gale@..." read next to the social worker, when Rhys Gale is the team manager, goes
    to him; a wrong address reaches a stranger, so this is checked after every reader.
    """
    words = [_name_words(p["name"]) for p in people]
    for n, person in enumerate(people):
        for email in list(person["emails"]):
            local = set(re.findall(r"[a-z]+", email.split("@")[0].casefold().replace("'", "")))
            if not local or local & words[n]:
                continue
            owners = [m for m, w in enumerate(words) if m != n and len(local & w) >= 2]
            if len(owners) != 1:
                continue
            person["emails"].remove(email)
            owner = people[owners[0]]
            if email not in owner["emails"]:
                owner["emails"].append(email)
            r.warnings.append(
                f"{email} was written beside {person['name'] or person['organisation']} "
                f"but names {owner['name']}: it is kept as theirs"
            )


def _young_person_named(draft: Draft) -> None:
    """A young person given only as "S. himself: 07700 900812" is the one child, by initials."""
    children = draft["children"]
    for person in draft["people"]:
        if person["role"] == Role.YOUNG_PERSON.value and not person["name"] and len(children) == 1:
            person["name"] = children[0]["initials"]


def _young_person_is_the_child(r: _Reader, draft: Draft) -> None:
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


def _warn_about_contacts(r: _Reader, people: list[dict[str, Any]]) -> None:
    """Notes for MTS about who cannot be reached: not reasons to refuse the request."""
    agencies = [p for p in people if p["role"] in _AGENCY_ROLE_VALUES]
    if not agencies:
        r.warnings.append("no agencies are listed")
    for person in people:
        who = person["name"] or person["organisation"]
        if person["role"] == Role.PARENT.value and not person["phones"]:
            r.warnings.append(f"{who} has no phone number: the chair needs one to call them")
        if person["role"] == Role.PARENT.value and not person["emails"]:
            r.warnings.append(f"{who} has no email address: letters go by post")
        if person["role"] in _AGENCY_ROLE_VALUES and not person["emails"]:
            r.warnings.append(f"{who} has no email address: reports cannot be shared with it")
        if person["role"] == Role.SOCIAL_WORKER.value and not person["phones"]:
            r.warnings.append("no phone number for the social worker")


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
    roles = {p["role"] for p in draft["people"]}
    for role in sorted(required):
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
