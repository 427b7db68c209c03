"""Working-day arithmetic in Europe/London over England and Wales bank holidays.

Every function takes and returns UTC-aware datetimes (or plain dates). The sums are done on
the London wall clock, so "3 working days before a 10:00 meeting" stays 10:00 across the
March and October clock changes, while "48 hours" stays 48 real hours.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.core.durations import Duration, DurationUnit

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year`` (substitute days included)."""
    # England's list is England and Wales' list; "ENG" is the subdivision the package knows.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """The working day ``count`` working days after ``day`` (before it when negative)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_day_on_or_before(day: date) -> date:
    """``day`` itself when it is a working day, otherwise the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_days_between(first: date, last: date) -> int:
    """How many working days fall after ``first`` up to and including ``last``."""
    count = 0
    current = first
    while current < last:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def add_months(day: date, count: int) -> date:
    """The same day of the month ``count`` months on, clamped to the month's last day."""
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def to_london(moment: datetime) -> datetime:
    """The London wall-clock time of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place on the timeline; give a time zone")
    return moment.astimezone(LONDON)


def london_to_utc(day: date, clock: time) -> datetime:
    """The UTC instant of a London wall-clock time (the earlier one when clocks go back)."""
    local = datetime.combine(day, clock, tzinfo=LONDON)
    # Round-trip through UTC so a time that does not exist (clocks going forward) normalises.
    return local.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """How a council turns durations into due times."""

    # When an "after" deadline in days falls due: the end of that working day.
    end_of_working_day: time = time(17, 0)
    # A "before" deadline is a minimum notice, so moving it earlier never breaks the rule;
    # moving it off a weekend or bank holiday means someone is at work to meet it.
    roll_back_off_working_days: bool = True

    def due_before(self, start: datetime, notice: Duration) -> datetime:
        """The latest time something must happen to give ``notice`` before ``start`` (UTC)."""
        local = to_london(start)
        if notice.is_fixed:
            due = start.astimezone(UTC) - notice.as_timedelta()
            return self._roll_back(due)
        if notice.unit is DurationUnit.WORKING_DAYS:
            day = add_working_days(local.date(), -notice.amount)
            return london_to_utc(day, local.time())
        if notice.unit is DurationUnit.FULL_DAYS:
            # N whole days must lie clear between sending and the start, so the last chance
            # is the close of the working day before those N days begin.
            first_clear_day = local.date() - timedelta(days=notice.amount)
            day = working_day_on_or_before(first_clear_day - timedelta(days=1))
            return london_to_utc(day, self.end_of_working_day)
        if notice.unit is DurationUnit.DAYS:
            due = london_to_utc(local.date() - timedelta(days=notice.amount), local.time())
            return self._roll_back(due)
        day = add_months(local.date(), -notice.amount)
        return self._roll_back(london_to_utc(day, local.time()))

    def due_after(self, anchor: datetime, within: Duration) -> datetime:
        """The latest time something must happen when it is due ``within`` of ``anchor`` (UTC)."""
        if within.is_fixed:
            return anchor.astimezone(UTC) + within.as_timedelta()
        return london_to_utc(
            self.date_after(to_london(anchor).date(), within), self.end_of_working_day
        )

    def date_after(self, anchor: date, within: Duration) -> date:
        """The last day allowed for something due ``within`` of the day ``anchor``."""
        if within.unit is DurationUnit.WORKING_DAYS:
            return add_working_days(anchor, within.amount)
        if within.unit is DurationUnit.MONTHS:
            day = add_months(anchor, within.amount)
        elif within.unit in (DurationUnit.DAYS, DurationUnit.FULL_DAYS):
            day = anchor + timedelta(days=within.amount)
        else:
            day = anchor + timedelta(days=within.as_timedelta() // timedelta(days=1))
        # A maximum: finishing on the working day before a weekend is always in time.
        return working_day_on_or_before(day) if self.roll_back_off_working_days else day

    def _roll_back(self, due: datetime) -> datetime:
        local = to_london(due)
        if not self.roll_back_off_working_days or is_working_day(local.date()):
            return due
        day = working_day_on_or_before(local.date())
        return london_to_utc(day, self.end_of_working_day)
