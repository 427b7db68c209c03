"""Working days over England and Wales bank holidays, in London time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.durations import Duration, DurationUnit, hours, parse_duration, working_days
from bot.core.workdays import (
    WorkingCalendar,
    add_months,
    add_working_days,
    is_working_day,
    london_to_utc,
    working_day_on_or_before,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.mark.parametrize(
    "day",
    [date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1), date(2026, 4, 3), date(2026, 5, 25)],
)
def test_england_bank_holidays_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 11, 28))
    assert not is_working_day(date(2026, 11, 29))
    assert is_working_day(date(2026, 11, 30))


def test_scottish_only_holiday_is_a_working_day_in_england() -> None:
    # 2 January is a bank holiday in Scotland only.
    assert is_working_day(date(2026, 1, 2))


def test_fifteen_working_days_over_christmas_and_new_year_skip_four_bank_holidays() -> None:
    # 25 and 28 December 2026 and 1 January 2027 are bank holidays (Boxing Day is a Saturday).
    assert add_working_days(date(2026, 12, 14), 15) == date(2027, 1, 7)
    assert working_days_between(date(2026, 12, 14), date(2027, 1, 7)) == 15


def test_counting_back_skips_weekends_and_holidays() -> None:
    assert add_working_days(date(2026, 12, 29), -2) == date(2026, 12, 23)
    assert working_day_on_or_before(date(2026, 12, 28)) == date(2026, 12, 24)


def test_months_clamp_to_the_last_day() -> None:
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_working_day_notice_keeps_the_london_clock_across_the_spring_change() -> None:
    # Clocks go forward on Sunday 29 March 2026: 10:00 BST is 09:00 UTC, 10:00 GMT is 10:00 UTC.
    due = WorkingCalendar().due_before(at(2026, 3, 30), working_days(3))
    assert due == datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
    assert due.astimezone(LONDON).time() == time(10, 0)


def test_hours_notice_is_real_hours_across_the_autumn_change() -> None:
    # Clocks go back on Sunday 25 October 2026: 72 real hours before Tue 27 Oct 10:00 GMT
    # is Sat 24 Oct 11:00 BST on the wall clock.
    due = WorkingCalendar(roll_back_off_working_days=False).due_before(at(2026, 10, 27), hours(72))
    assert due == datetime(2026, 10, 24, 10, 0, tzinfo=UTC)
    assert due.astimezone(LONDON).time() == time(11, 0)


def test_notice_landing_on_a_weekend_moves_to_the_previous_working_day() -> None:
    due = WorkingCalendar().due_before(at(2026, 11, 30), hours(48))  # Monday 10:00
    assert due == london_to_utc(date(2026, 11, 27), time(17, 0))  # Friday close of day


def test_notice_is_kept_as_stated_when_the_council_says_so() -> None:
    calendar = WorkingCalendar(roll_back_off_working_days=False)
    assert calendar.due_before(at(2026, 11, 30), hours(48)) == at(2026, 11, 28).astimezone(UTC)


def test_two_full_days_leave_two_whole_days_clear() -> None:
    # A Thursday meeting: Tuesday and Wednesday must be clear, so Monday close of day.
    due = WorkingCalendar().due_before(at(2026, 12, 3), Duration(2, DurationUnit.FULL_DAYS))
    assert due == london_to_utc(date(2026, 11, 30), time(17, 0))


def test_after_deadlines_in_working_days_close_at_the_end_of_that_day() -> None:
    # 23, 24, 29, 30 and 31 December: Christmas Day and Boxing Day (observed) are skipped.
    due = WorkingCalendar().due_after(at(2026, 12, 22, 12), working_days(5))
    assert due == london_to_utc(date(2026, 12, 31), time(17, 0))


def test_results_are_utc_aware() -> None:
    due = WorkingCalendar().due_before(at(2026, 6, 10), working_days(1))
    assert due.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48 hours", Duration(48, DurationUnit.HOURS)),
        ("20m", Duration(20, DurationUnit.MINUTES)),
        ("2 full days", Duration(2, DurationUnit.FULL_DAYS)),
        ("15  Working Days", Duration(15, DurationUnit.WORKING_DAYS)),
        ("3 months", Duration(3, DurationUnit.MONTHS)),
        ("1 hour", Duration(1, DurationUnit.HOURS)),
    ],
)
def test_durations_read_the_way_councils_write_them(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(str(expected)) == expected


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        WorkingCalendar().due_before(datetime(2026, 6, 10, 10), hours(1))
