"""Durations as councils write them: "48 hours", "2 full days", "15 working days", "3 months"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema


class DurationUnit(StrEnum):
    """The units a playbook may count in; each resolves differently against the calendar."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"  # calendar days, at the same clock time
    FULL_DAYS = "full days"  # whole calendar days clear before the start ("two full days prior")
    WORKING_DAYS = "working days"  # Monday to Friday, not England and Wales bank holidays
    MONTHS = "months"  # calendar months, as the statutory review timescales are written


_UNIT_WORDS: dict[str, DurationUnit] = {
    "m": DurationUnit.MINUTES,
    "min": DurationUnit.MINUTES,
    "mins": DurationUnit.MINUTES,
    "minute": DurationUnit.MINUTES,
    "minutes": DurationUnit.MINUTES,
    "h": DurationUnit.HOURS,
    "hr": DurationUnit.HOURS,
    "hrs": DurationUnit.HOURS,
    "hour": DurationUnit.HOURS,
    "hours": DurationUnit.HOURS,
    "day": DurationUnit.DAYS,
    "days": DurationUnit.DAYS,
    "calendar day": DurationUnit.DAYS,
    "calendar days": DurationUnit.DAYS,
    "full day": DurationUnit.FULL_DAYS,
    "full days": DurationUnit.FULL_DAYS,
    "working day": DurationUnit.WORKING_DAYS,
    "working days": DurationUnit.WORKING_DAYS,
    "wd": DurationUnit.WORKING_DAYS,
    "month": DurationUnit.MONTHS,
    "months": DurationUnit.MONTHS,
}

_PATTERN = re.compile(r"^\s*(\d{1,4})\s*([a-z ]+?)\s*$", re.IGNORECASE)
_SCHEMA_PATTERN = r"^\s*\d{1,4}\s*[A-Za-z ]+$"
_EXAMPLES = "'48 hours', '2 full days', '3 working days', '20 minutes' or '3 months'"


@dataclass(frozen=True, slots=True, order=True)
class Duration:
    """A typed length of time; only minutes and hours are fixed, the rest need a calendar."""

    amount: int
    unit: DurationUnit

    def __str__(self) -> str:
        """The canonical spelling, which also round-trips through ``parse_duration``."""
        word = self.unit.value
        if self.amount == 1:
            word = word.removesuffix("s")
        return f"{self.amount} {word}"

    @property
    def is_fixed(self) -> bool:
        """True when the duration is an exact length of time, whatever the calendar."""
        return self.unit in (DurationUnit.MINUTES, DurationUnit.HOURS)

    def as_timedelta(self) -> timedelta:
        """The exact length, for fixed durations only."""
        if self.unit is DurationUnit.MINUTES:
            return timedelta(minutes=self.amount)
        if self.unit is DurationUnit.HOURS:
            return timedelta(hours=self.amount)
        raise ValueError(f"{self} depends on the calendar and has no fixed length")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validate from text such as "48 hours"; serialise back to that text."""
        from_text = core_schema.no_info_after_validator_function(
            parse_duration, core_schema.str_schema()
        )
        return core_schema.json_or_python_schema(
            json_schema=from_text,
            python_schema=core_schema.no_info_plain_validator_function(_coerce),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Describe a duration in the published schema as a patterned string."""
        return {
            "type": "string",
            "pattern": _SCHEMA_PATTERN,
            "description": f"A number and a unit, such as {_EXAMPLES}.",
            "examples": ["48 hours", "2 full days", "15 working days", "3 months"],
        }


def _coerce(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    message = (
        f"bad duration {value!r} (expected text with a number and a unit, such as {_EXAMPLES})"
    )
    raise PydanticCustomError("bad_duration", message.replace("{", "{{").replace("}", "}}"))


def parse_duration(text: str) -> Duration:
    """Read a duration such as "72 hours" or "5 working days", or raise a clear error."""
    match = _PATTERN.match(text)
    unit = _UNIT_WORDS.get(" ".join(match.group(2).lower().split())) if match else None
    if match is None or unit is None:
        message = f"bad duration {text!r} (expected a number and a unit, such as {_EXAMPLES})"
        raise PydanticCustomError("bad_duration", message.replace("{", "{{").replace("}", "}}"))
    return Duration(int(match.group(1)), unit)


def minutes(amount: int) -> Duration:
    """A duration in minutes."""
    return Duration(amount, DurationUnit.MINUTES)


def hours(amount: int) -> Duration:
    """A duration in hours."""
    return Duration(amount, DurationUnit.HOURS)


def working_days(amount: int) -> Duration:
    """A duration in working days."""
    return Duration(amount, DurationUnit.WORKING_DAYS)
