"""A table of people whose first row names the columns: Name, Role, Email, Phone.

Each row is one person; the role cell ("Mother", "GP, Park View Practice", "Holtby SW")
says which group they belong to, so family, professionals and agencies can share a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.intake.blocks import Table
from bot.intake.inline import find_emails
from bot.intake.labels import (
    AGENCY,
    PARENT,
    SOCIAL_WORKER,
    FieldKey,
    normalise,
    parse_label,
)

_NAME = ("name", "full name", "contact", "contact name", "person", "who", "attendee", "invitee")
_ROLE = (
    "role", "who", "relationship", "relationship to child", "relationship to the child",
    "agency", "position", "job title", "role agency", "organisation role", "agency role",
    "role organisation", "title", "connection", "capacity", "relationship role",
    "role relationship", "relationship or role", "role or relationship",
)  # fmt: skip
_EMAIL = ("email", "email address", "emails", "secure email")
_PHONE = ("phone", "telephone", "tel", "mobile", "phone number", "contact number", "number")
_ORGANISATION = (
    "organisation",
    "organization",
    "service",
    "agency name",
    "team",
    "school",
    "agency",
    "agency organisation",
    "organisation agency",
    "employer",
    "setting",
)


_CONTACT = ("contact", "contact details", "details", "contact info", "how to contact")


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each fact is in a person grid's rows."""

    name: int
    role: int
    email: int | None
    phone: int | None
    organisation: int | None
    invite: int | None = None  # "Invite? | No - left in July": a row to leave off


def person_columns(header: tuple[str, ...]) -> Columns | None:
    """The columns of a person grid, or None when the header is not one."""
    cells = [normalise(c) for c in header]

    def find(names: tuple[str, ...], skip: set[int]) -> int | None:
        return next((i for i, c in enumerate(cells) if c in names and i not in skip), None)

    name = find(_NAME, set())
    role = find(_ROLE, {name} if name is not None else set())
    email = next((i for i, c in enumerate(cells) if c in _EMAIL or "email" in c.split()), None)
    phone = find(_PHONE, set())
    if email is None and phone is None:
        # "Name | Role | Contact": one column holds both the number and the address.
        email = phone = find(_CONTACT, {i for i in (name, role) if i is not None})
    if name is None or role is None or (email is None and phone is None):
        return None
    invite = next((i for i, c in enumerate(cells) if "invite" in c.split()), None)
    return Columns(name, role, email, phone, find(_ORGANISATION, {name, role}), invite)


def role_of(cell: str) -> tuple[FieldKey | None, str]:
    """The group a role cell names, and what is left (an organisation): "GP, Park View"."""
    head, _, rest = cell.replace("(", ",").replace(")", "").partition(",")
    words = head.split()
    for size in range(len(words), 0, -1):
        key = parse_label(" ".join(words[:size]))
        if key is not None and key.group:
            return key, rest.strip(" ,")
    if len(words) > 1:
        # "Holtby SW": a social worker of another council speaks for it, as an agency.
        last = parse_label(words[-1])
        if last is not None and last.group == SOCIAL_WORKER:
            return FieldKey(AGENCY, "contact_name", None, (("role", "social worker"),)), " ".join(
                words[:-1]
            )
    return None, cell.strip()


_NOT_INVITED = re.compile(r"^\W*(no|n|not invited|do not invite|don'?t invite)\b", re.IGNORECASE)


def _one_person_a_line(row: tuple[str, ...], name: int) -> list[tuple[str, ...]]:
    """ "Aimee Clarke / Jordan Clarke | Mother / Father | 07700 ... / 07700 ...": a row whose
    cells hold one line per person is a row per person; otherwise the row as it is."""
    lines = [[line for line in cell.split("\n") if line.strip()] for cell in row]
    people = len(lines[name]) if name < len(lines) else 0
    if people < 2 or any(len(cell) not in (0, 1, people) for cell in lines):
        return [row]
    return [
        tuple(cell[n] if len(cell) == people else "\n".join(cell) for cell in lines)
        for n in range(people)
    ]


def _organisation_in_role(rest: str) -> str:
    """What a role cell says beside the role, when it is an organisation: "GP, Park View"
    is Park View, but "Nursery (G.)" and "Adult mental health (for mum)" say who for."""
    words = rest.strip(" ,")
    if re.fullmatch(r"(?:[A-Z]\.?\s*){1,4}", words) or re.match(r"(?i)for\b", words):
        return ""
    key = parse_label(words) if words else None
    return "" if key is not None and key.group == PARENT else words


def rows_of(table: Table, columns: Columns) -> list[tuple[FieldKey, dict[str, str]]]:
    """Each row's group key and its cells by fact (name, email, phone, organisation)."""
    out: list[tuple[FieldKey, dict[str, str]]] = []
    for row in (r for whole in table.rows[1:] for r in _one_person_a_line(whole, columns.name)):

        def cell(i: int | None, row: tuple[str, ...] = row) -> str:
            return row[i].strip() if i is not None and i < len(row) else ""

        key, rest = role_of(cell(columns.role))
        if key is None:
            key = FieldKey(AGENCY, "contact_name", None, (("role", cell(columns.role)),))
        email, phone = cell(columns.email), cell(columns.phone)
        if columns.email == columns.phone or columns.phone is None:
            # One "Contact" or "Email / phone" cell: its addresses are the email, the rest
            # the numbers.
            found, _, numbers = find_emails(email)
            email = " ; ".join(found)
            phone = numbers.strip() if any(ch.isdigit() for ch in numbers) else ""
        facts = {
            "left_off": "yes" if _NOT_INVITED.match(cell(columns.invite)) else "",
            "name": cell(columns.name),
            "email": email,
            "phone": phone,
            "organisation": cell(columns.organisation) or _organisation_in_role(rest),
        }
        if key.group == PARENT and not key.implied and cell(columns.role):
            key = FieldKey(PARENT, key.name, None, (("relationship", cell(columns.role)),))
        if any(facts.values()):
            out.append((key, facts))
    return out
