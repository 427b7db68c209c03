"""Chair suggestions: the earliest free slot inside the statutory window, then the lightest load."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.meeting import BusySlot
from bot.core.workdays import is_working_day, london_to_utc

# Conferences start on the hour or half hour within the working day.
DAY_START = time(9, 30)
DAY_END = time(17, 0)
STEP = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class ChairSuggestion:
    """A chair, their first free slot in the window (if any), and how many they already hold."""

    chair: str
    slot: datetime | None  # UTC
    workload: int


def _free(start: datetime, end: datetime, busy: Sequence[BusySlot]) -> bool:
    return all(slot.end <= start or slot.start >= end for slot in busy)


def first_free_slot(
    busy: Sequence[BusySlot], first_day: date, last_day: date, length: timedelta
) -> datetime | None:
    """The earliest start on a working day from ``first_day`` to ``last_day`` that is free."""
    day = first_day
    while day <= last_day:
        if is_working_day(day):
            start = london_to_utc(day, DAY_START)
            close = london_to_utc(day, DAY_END)
            while start + length <= close:
                if _free(start, start + length, busy):
                    return start
                start += STEP
        day += timedelta(days=1)
    return None


def suggest_chairs(
    busy: Mapping[str, Sequence[BusySlot]],
    workload: Mapping[str, int],
    first_day: date,
    last_day: date,
    length: timedelta,
) -> list[ChairSuggestion]:
    """Every chair, ranked: a free slot in the window first, earliest slot, lightest workload."""
    suggestions = [
        ChairSuggestion(
            chair, first_free_slot(slots, first_day, last_day, length), workload.get(chair, 0)
        )
        for chair, slots in busy.items()
    ]
    far = datetime.max.replace(tzinfo=None)
    return sorted(
        suggestions,
        key=lambda s: (
            s.slot is None,
            s.slot.replace(tzinfo=None) if s.slot else far,
            s.workload,
            s.chair,
        ),
    )
