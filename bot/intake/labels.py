"""The request form's labels: every spelling councils use, mapped to one field key.

FORM.md in this package is the human version of these tables; keep the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHILD, PARENT, AGENCY = "child", "parent", "agency"
SOCIAL_WORKER, TEAM_MANAGER = "social_worker", "team_manager"
MULTI_GROUPS = (CHILD, PARENT, AGENCY)  # numbered: Child 1, Child 2, ...

_GROUPS: dict[str, tuple[str, ...]] = {
    CHILD: ("child", "children", "young person", "unborn child", "unborn baby"),
    PARENT: (
        "parent or carer", "parents or carers", "parent carer", "parents carers",
        "parent and carer", "parents and carers", "parent", "parents", "carer", "carers",
    ),
    AGENCY: ("partner agency", "partner agencies", "agency", "agencies"),
    SOCIAL_WORKER: ("allocated social worker", "social worker", "sw"),
    TEAM_MANAGER: ("team manager", "practice manager", "tm"),
}  # fmt: skip

_EMAIL_ALIASES = ("email", "email address", "secure email", "secure email address")
_PHONE_ALIASES = (
    "phone", "phone number", "telephone", "telephone number", "tel", "mobile",
    "mobile number", "contact number", "work phone", "landline",
)  # fmt: skip
_PERSON = {"name": ("", "name", "full name"), "email": _EMAIL_ALIASES, "phone": _PHONE_ALIASES}

_SUBFIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    CHILD: {
        "case_reference": (
            "case reference", "case ref", "case number", "case no", "case id", "reference",
            "ref", "id", "lcs id", "lcs number", "mosaic id", "mosaic number", "person id",
        ),
        "initials": ("initials", "initial"),
        "date_of_birth": ("date of birth", "dob", "d o b", "birth date", "date of birth or unborn"),
        "due_date": ("due date", "expected due date", "edd", "expected date of delivery"),
    },
    PARENT: {
        "name": ("", "name", "full name"),
        "relationship": ("relationship", "relationship to child", "relationship to the child"),
        "phone": (
            *_PHONE_ALIASES, "phones", "phone numbers", "contact numbers", "home phone",
            "other phone", "alternative phone", "second phone", "phone 2", "mobile 2",
        ),
        "email": _EMAIL_ALIASES,
    },
    AGENCY: {
        "organisation": ("", "organisation", "organization", "name", "agency name", "service"),
        "role": ("role", "type", "agency type", "sector", "agency role"),
        "contact_name": ("contact", "contact name", "contact person", "representative", "lead"),
        "email": _EMAIL_ALIASES,
        "phone": _PHONE_ALIASES,
    },
    SOCIAL_WORKER: _PERSON,
    TEAM_MANAGER: _PERSON,
}  # fmt: skip

_SINGLES: dict[str, tuple[str, ...]] = {
    "conference_type": ("conference type", "type of conference", "conference requested"),
    "strategy_date": (
        "strategy discussion date", "date of strategy discussion", "strategy discussion",
        "strategy meeting date", "date of strategy meeting", "strategy meeting",
        "strategy date", "strategy discussion held",
    ),
    "preferred_format": (
        "preferred format", "format", "meeting format", "preferred meeting format",
        "conference format",
    ),
    "preferred_chair": (
        "preferred chair", "chair", "requested chair", "preferred iro", "preferred cp chair",
        "preferred chair email",
    ),
    "preferred_start": (
        "preferred start", "preferred date and time", "preferred date time", "preferred date",
        "proposed date and time", "preferred start date and time", "requested date and time",
    ),
    "confidential": (
        "confidential section requested", "confidential section", "confidential section required",
        "confidential slot", "confidential slot requested", "confidential slot required",
    ),
    "confidential_reason": (
        "confidential section reason", "reason for confidential section", "confidential reason",
        "reason for confidential slot", "confidential slot reason",
    ),
    "access_needs": (
        "interpreter or access needs", "interpreter and access needs", "interpreter access needs",
        "access needs", "interpreter", "interpreter needs", "interpreter required",
        "language", "access requirements", "communication needs", "accessibility needs",
    ),
    "previous_reference": (
        "previous conference reference", "previous reference", "existing conference reference",
    ),
}  # fmt: skip

_GROUP_DISPLAY = {
    CHILD: "Child",
    PARENT: "Parent",
    AGENCY: "Agency",
    SOCIAL_WORKER: "Social worker",
    TEAM_MANAGER: "Team manager",
}
_SINGLE_DISPLAY = {
    "conference_type": "Conference type",
    "strategy_date": "Strategy discussion date",
    "preferred_format": "Preferred format",
    "preferred_chair": "Preferred chair",
    "preferred_start": "Preferred start",
    "confidential": "Confidential section requested",
    "confidential_reason": "Confidential section reason",
    "access_needs": "Interpreter or access needs",
    "previous_reference": "Previous conference reference",
}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_HEADING_SUFFIXES = ("", "details", "detail", "information", "info", "contact details")
_BULLET = re.compile(r"^(?:[\u2022\u00b7\u25cf\u25aa\u25e6\u2023\u2043*\-–—o]+\s+|\d{1,2}[.)]\s+)")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class FieldKey:
    """One field of the form: ``group`` is "" for single fields; ``index`` numbers a group."""

    group: str
    name: str
    index: int | None = None

    def display(self) -> str:
        """The label as FORM.md spells it, for reasons shown to the admin team."""
        if not self.group:
            return _SINGLE_DISPLAY[self.name]
        number = f" {self.index}" if self.group in MULTI_GROUPS and self.index else ""
        return f"{_GROUP_DISPLAY[self.group]}{number} {self.name.replace('_', ' ')}"


def normalise(text: str) -> str:
    """Lower case, words only: "Parent/Carer 1's e-mail:" becomes "parent carer 1 email"."""
    text = _PARENTHESES.sub(" ", text.lower().replace("e-mail", "email").replace("’", "'"))
    text = re.sub(r"'s\b", "", text)
    return _NON_WORD.sub(" ", text).strip()


def strip_bullet(line: str) -> str:
    """A line without its list bullet or item number."""
    return _BULLET.sub("", line.strip(), count=1)


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise(alias): name for name, aliases in table.items() for alias in aliases}


_SINGLE_INDEX = _lookup(_SINGLES)
_SUB_INDEX = {group: _lookup(subs) for group, subs in _SUBFIELDS.items()}
_PREFIXES = sorted(
    ((normalise(alias), group) for group, aliases in _GROUPS.items() for alias in aliases),
    key=lambda pair: -len(pair[0]),
)


def _split_number(rest: str) -> tuple[int | None, str]:
    words = rest.split()
    if words and (words[0].isdigit() or words[0] in _NUMBER_WORDS):
        head = words[0]
        number = int(head) if head.isdigit() else _NUMBER_WORDS[head]
        return (number if 0 < number < 100 else None), " ".join(words[1:])
    if len(words) > 1 and words[-1].isdigit() and " ".join(words) not in _SUB_INDEX[PARENT]:
        number = int(words[-1])
        return (number if 0 < number < 100 else None), " ".join(words[:-1])
    return None, rest


def _grouped(norm: str) -> list[tuple[str, int | None, str]]:
    found = []
    for prefix, group in _PREFIXES:
        if norm == prefix or norm.startswith(prefix + " "):
            number, rest = _split_number(norm[len(prefix) :].strip())
            found.append((group, number, rest))
    return found


def parse_label(text: str, section: str | None = None) -> FieldKey | None:
    """The field a label names, reading bare labels ("Email") inside ``section``'s group."""
    norm = normalise(text)
    if not norm or len(norm) > 80:
        return None
    if norm in _SINGLE_INDEX:
        return FieldKey("", _SINGLE_INDEX[norm])
    for group, number, rest in _grouped(norm):
        name = _SUB_INDEX[group].get(rest)
        if name is not None:
            return FieldKey(group, name, number)
    if section is not None and norm:
        name = _SUB_INDEX[section].get(norm)
        if name is not None:
            return FieldKey(section, name)
    return None


def parse_heading(text: str) -> tuple[str, int | None] | None:
    """The group a heading line opens ("Child 2", "Agencies", "Parent 1 details"), if any."""
    norm = normalise(text)
    for group, number, rest in _grouped(norm):
        if rest in _HEADING_SUFFIXES:
            return group, number
    return None
