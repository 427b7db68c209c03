"""Reading one field's values: the text, a date or number from it, every problem named.

A value is used only when it is read whole; two different values for one field are a
problem naming both, and a value too long to be real is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from bot.intake import fields as read
from bot.intake.draft import Problem
from bot.intake.extract import ADDITIVE
from bot.intake.field_values import Fields
from bot.intake.inline import find_emails
from bot.intake.labels import CHILD, FieldKey

T = TypeVar("T")

_WS = re.compile(r"\s+")
# No real value is longer; capping here also keeps every value reader's regexes linear.
_VALUE_LIMIT = 400
_FREE_TEXT_LIMIT = 5000
_FREE_TEXT = frozenset({"access_needs", "confidential_reason", "preferred_format"})
# Fields that gather many values (every number, every reference): checked one by one.
_LONG_OK = frozenset({(CHILD, "entry")})
_NONE = re.compile(
    r"^\s*(none|no|n/?a|nil|not known|unknown|tbc|not given|no (phone|number|mobile)\w*|-+)\W*$",
    re.IGNORECASE,
)


def quote(text: str) -> str:
    text = _WS.sub(" ", text).strip()
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


class FieldReader:
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
            shown = " and ".join(f"{quote(v.text)} ({v.source})" for v in values[:3])
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
            self.fail(where, f"field '{self.label(group, index, name)}': {quote(text)} {err}")
            return None

    def indices(self, group: str) -> list[int]:
        return sorted({k[1] for k in self.fields.values if k[0] == group})

    def emails(self, text: str | None, where: str) -> list[str]:
        """Every whole address in ``text``; a cut-off or broken one is a problem, never kept."""
        if not text:
            return []
        found, broken, _ = find_emails(text)
        for bad in broken:
            self.fail(where, f"{quote(bad)} is not a whole email address; please check it")
        return list(found)

    def phones(self, text: str | None, where: str = "", label: str = "") -> list[str]:
        if not text:
            return []
        try:
            return list(read.find_phones(text))
        except read.FieldError as err:
            if where and not _NONE.match(text):
                self.fail(where, f"field '{label}': {quote(text)} {err}")
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
