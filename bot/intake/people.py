"""The people a request names, as draft entries: family, professionals, the social worker.

One person named twice is one entry with every way to reach them; an address that names
someone else is moved to them, never left with the wrong person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.core.conference import Role
from bot.core.request import AGENCY_ROLES
from bot.intake import fields as read
from bot.intake.draft import Draft
from bot.intake.inline import Contact, read_contact
from bot.intake.labels import (
    ADVOCATE,
    AGENCY,
    PARENT,
    agency_role_words,
    family_relationship,
    sided,
)
from bot.intake.line_rules import NOT_INVITED
from bot.intake.values import FieldReader, quote

_AGENCY_ROLE_VALUES = frozenset(r.value for r in AGENCY_ROLES)
# Labels that name a whole sector; a role word beside the person says more.
_BROAD_ROLES = frozenset({"health", "education", "agency", "other", "professional", "nhs"})

_ROLE_AS_ORGANISATION = {
    "gp": "GP", "camhs": "CAMHS", "looked after children nurse": "LAC nurse", "dsl": "School",
    "designated safeguarding lead": "School", "hv": "Health visitor",
}  # fmt: skip


@dataclass(slots=True)
class People:
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


_COUPLE_NAME = re.compile(
    r"^([A-Z][\w'’\-]+)\s+(?:and|&)\s+([A-Z][\w'’\-]+)\s+((?:O['’]|Mc|Mac)?[A-Z][\w'’\-]+)$"
)


def one_each(person: dict[str, Any]) -> list[dict[str, Any]]:
    """ "Foster carers: Janet and Philip Morrow, 020 ..., morrows@...": two people, who
    share the line's number and address."""
    m = _COUPLE_NAME.match(person["name"])
    if m is None:
        return [person]
    surname = m.group(3)
    return [{**person, "name": f"{first} {surname}"} for first in (m.group(1), m.group(2))]


def read_person(
    r: FieldReader, group: str, i: int, role: Role, where: str, *, name_field: str = "name"
) -> dict[str, Any] | None:
    name_text = r.text(group, i, name_field, f"{where}.name")
    contact = read_contact(name_text) if name_text else Contact()
    # "Contact: 07700 900611 / kelly@example.org": a number, an address, or both.
    contact_text = r.text(group, i, "contact", f"{where}.phones")
    details = read_contact(contact_text) if contact_text else Contact()
    emails = [
        *contact.emails,
        *details.emails,
        *r.emails(r.text(group, i, "email", f"{where}.emails"), f"{where}.emails"),
    ]
    for bad in (*contact.broken_emails, *details.broken_emails):
        r.fail(f"{where}.emails", f"{quote(bad)} is not a whole email address; please check it")
    phone_text = r.text(group, i, "phone", f"{where}.phones")
    phones = [
        *contact.phones,
        *details.phones,
        *r.phones(phone_text, f"{where}.phones", r.label(group, i, "phone")),
    ]
    if not name_text and details.name:
        name_text = details.name  # "SW contact: Rowan Feld, 0113 ...": the name is there too
        contact = read_contact(name_text)
    relationship = ""
    if group == PARENT:
        said = r.text(group, i, "relationship", f"{where}.relationship") or ""
        relationship = family_relationship(said) or said.strip().lower()
        if not relationship:
            said_roles = (*contact.roles, *contact.bracketed)
            relationship = next((m for m in map(family_relationship, said_roles) if m), "")
        relationship = sided(relationship, said, name_text or "", *contact.bracketed)
    if name_text and NOT_INVITED.search(name_text):
        # "C's dad - Aaron Kelsall - ... NOT to be invited": named, and left off the invites.
        r.warnings.append(left_off(contact.name or "someone"))
        return None
    name = contact.name
    if not name and name_text and not (contact.emails or contact.phones or contact.organisation):
        name = name_text.strip() if len(name_text) <= 80 and not is_note(name_text) else ""
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


def read_agency(r: FieldReader, i: int, where: str) -> dict[str, Any] | None:
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
            r.fail(f"{where}.emails", f"{quote(bad)} is not a whole email address; please check it")
        name = name or contact.name
        organisation = organisation or contact.organisation
        if contact.roles and (not role_text or role_text.lower() in _BROAD_ROLES):
            # "Health - school nurse Asha Patel": the nurse; "HV" is a health visitor.
            role_text = agency_role_words(contact.roles[0]) or contact.roles[0]
        for inner in contact.bracketed:
            # "Elm Road Primary (DSL: Sam Ito)": the person in brackets.
            part = inner.split(":", 1)[-1]
            name = name or read_contact(part).name
        if not (contact.name or contact.organisation or contact.emails or contact.phones) and not (
            is_note(text)
        ):
            organisation = organisation or text.strip()[:120]
    if not (name or organisation or emails or phones):
        return None
    role = read.read_role(f"{role_text} {organisation}")
    if role is Role.AGENCY and any(e.lower().endswith(".sch.uk") for e in emails):
        role = Role.SCHOOL  # a school's own address (".sch.uk") says what it is
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


# "Father: no contact, whereabouts unknown.", "Mum needs letters in large print",
# "Health visitor: n/a (children school age)": a note about someone, not who they are.
_NOTE = re.compile(
    r"^\W*(?:no|not|none|nil|unknown|n/?a|tbc|tba|needs?|speaks?|has|is|was|does|doesn'?t|"
    r"lives|deceased|awaiting|to be|please|see|as above|same as|will|would|can|cannot|"
    r"can'?t|prefers?|wants?|asked|refuses?|declined)\b",
    re.IGNORECASE,
)


def left_off(name: str) -> str:
    """The admin team's note that a person named is not invited, as the request asks."""
    return f"{name} is named in the request as not to be invited, so is left off"


def is_note(text: str) -> bool:
    """Whether a value where a name belongs is a note about the person instead."""
    text = text.strip()
    return bool(_NOTE.match(text)) or (text[:1].islower() and len(text.split()) >= 3)


def _name_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", name.casefold().replace("'", "")) if len(w) > 2}


def addresses_follow_names(r: FieldReader, people: list[dict[str, Any]]) -> None:
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


def young_person_named(draft: Draft) -> None:
    """A young person given only as "S. himself: 07700 900812" is the one child, by initials."""
    children = draft["children"]
    for person in draft["people"]:
        if person["role"] == Role.YOUNG_PERSON.value and not person["name"] and len(children) == 1:
            person["name"] = children[0]["initials"]


def warn_about_contacts(r: FieldReader, people: list[dict[str, Any]]) -> None:
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
