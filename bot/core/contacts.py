"""Correcting a participant's contact details: the checks, and the words the timeline keeps.

Pure. Requests are read from email, so a name, address or number is sometimes wrong, and
families change them (a safe email, a new mobile). A correction names only the fields it
changes; the others stay as they are. The timeline records which fields of whose contact
changed and who changed them, never the old or new values: it is shown more widely than
the contact details themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.conference import Participant, Role
from bot.core.errors import InvalidInput
from bot.core.request import is_email, normalise_phone

# The fields a correction may change, in the order the words name them.
FIELDS = ("name", "relationship", "emails", "phones", "postal_address")
FIELD_WORDS = {
    "name": "name",
    "relationship": "relationship to the child",
    "emails": "email",
    "phones": "phone number",
    "postal_address": "postal address",
}
# The same limits as the store's columns, and a few more than any family gives.
NAME_LIMIT = 256
RELATIONSHIP_LIMIT = 128
ADDRESS_LIMIT = 500
MOST_ADDRESSES = 5
ACTOR_WORDS = {"mts": "MTS", "admin": "an admin", "chair": "the chair"}
CORRECTED = "contact_corrected"  # the timeline kind


class ContactInvalid(InvalidInput):
    """One or more fields of a correction are wrong; ``problems`` maps each field to why."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {why}" for name, why in self.problems.items()))


@dataclass(frozen=True, slots=True)
class ContactCorrection:
    """What to change; None leaves a field as it is. Empty lists or text clear a field."""

    name: str | None = None
    relationship: str | None = None
    emails: tuple[str, ...] | None = None
    phones: tuple[str, ...] | None = None
    postal_address: str | None = None

    def given(self) -> tuple[str, ...]:
        """The fields this correction names."""
        return tuple(name for name in FIELDS if getattr(self, name) is not None)


@dataclass(frozen=True, slots=True)
class CheckedCorrection:
    """A correction whose values passed the checks: addresses whole, numbers in E.164."""

    values: Mapping[str, object] = field(default_factory=dict)


def _emails(values: Sequence[str], problems: dict[str, str]) -> tuple[str, ...]:
    kept: dict[str, str] = {}
    for raw in values:
        text = raw.strip()
        if not text:
            continue
        if not is_email(text):
            problems["emails"] = f"'{text}' is not one whole email address, like name@example.org"
            return ()
        kept.setdefault(text.lower(), text)
    if len(kept) > MOST_ADDRESSES:
        problems["emails"] = f"give at most {MOST_ADDRESSES} email addresses"
    return tuple(kept.values())


def _phones(values: Sequence[str], problems: dict[str, str]) -> tuple[str, ...]:
    kept: list[str] = []
    for raw in values:
        text = raw.strip()
        if not text:
            continue
        number = normalise_phone(text)
        if number is None:
            problems["phones"] = f"'{text}' is not a phone number, like 07700 900123"
            return ()
        if number not in kept:
            kept.append(number)
    if len(kept) > MOST_ADDRESSES:
        problems["phones"] = f"give at most {MOST_ADDRESSES} phone numbers"
    return tuple(kept)


def _text(value: str, label: str, limit: int, problems: dict[str, str], name: str) -> str:
    text = " ".join(value.split()) if name != "postal_address" else value.strip()
    if len(text) > limit:
        problems[name] = f"keep the {label} under {limit} characters"
    return text


def check_correction(correction: ContactCorrection) -> CheckedCorrection:
    """The correction's values, cleaned and checked; ContactInvalid names every bad field."""
    problems: dict[str, str] = {}
    values: dict[str, object] = {}
    if correction.name is not None:
        name = _text(correction.name, "name", NAME_LIMIT, problems, "name")
        if not name and "name" not in problems:
            problems["name"] = "enter the person's name; it cannot be cleared"
        values["name"] = name
    if correction.relationship is not None:
        values["relationship"] = _text(
            correction.relationship, "relationship", RELATIONSHIP_LIMIT, problems, "relationship"
        )
    if correction.emails is not None:
        values["emails"] = _emails(correction.emails, problems)
    if correction.phones is not None:
        values["phones"] = _phones(correction.phones, problems)
    if correction.postal_address is not None:
        values["postal_address"] = _text(
            correction.postal_address, "address", ADDRESS_LIMIT, problems, "postal_address"
        )
    if problems:
        raise ContactInvalid(problems)
    return CheckedCorrection(values)


def _current(person: Participant, name: str) -> object:
    return tuple(getattr(person, name)) if name in ("emails", "phones") else getattr(person, name)


def changed_fields(person: Participant, checked: CheckedCorrection) -> tuple[str, ...]:
    """The fields whose value the correction really changes, in the order of FIELDS."""
    return tuple(
        name
        for name in FIELDS
        if name in checked.values and checked.values[name] != _current(person, name)
    )


def whose(person: Participant) -> str:
    """Whose contact it is, by relationship or role, never by name: "Mother", "Social worker"."""
    text = person.relationship.strip() or person.role.value.replace("_", " ")
    return text[:1].upper() + text[1:]


def change_words(person: Participant, fields: Sequence[str], actor_role: str) -> str:
    """The timeline's line: "Mother's email and phone number corrected by MTS"."""
    names = [FIELD_WORDS[name] for name in fields]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    by = ACTOR_WORDS.get(actor_role, actor_role or "staff")
    return f"{whose(person)}'s {listed} corrected by {by}"


# Who gets the family's letters, and so whose missing email is a letter to post.
FAMILY = frozenset({Role.PARENT, Role.YOUNG_PERSON})
