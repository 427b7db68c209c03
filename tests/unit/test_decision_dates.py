"""The dates the timescales suggest after a conference, on bank-holiday edges, and the checks."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.conference import ConferenceType
from bot.core.decisions import (
    checked_child_decision,
    combined,
    decision_form,
    decision_of,
    decision_record,
    suggested_dates,
)
from bot.core.minutes.model import AbuseCategory, Decisions, PlanType
from playbooks import load_bundled

LANCASHIRE = load_bundled("lancashire")
NORTHMOOR_LAC = load_bundled("northmoor-lac")
ICPC, RCPC, LAC = ConferenceType.ICPC, ConferenceType.RCPC, ConferenceType.LAC


def test_review_due_on_christmas_day_is_suggested_for_the_working_day_before() -> None:
    # 3 months after Friday 25 September 2026 is Christmas Day.
    dates = suggested_dates(LANCASHIRE, ICPC, date(2026, 9, 25))
    assert dates.review == date(2026, 12, 24)
    assert dates.review_basis == "within 3 months of this conference"


def test_review_due_on_the_boxing_day_substitute_skips_back_over_christmas() -> None:
    # 28 December 2026 is the substitute Boxing Day; Christmas is the Friday before.
    assert suggested_dates(LANCASHIRE, ICPC, date(2026, 9, 28)).review == date(2026, 12, 24)


def test_first_core_group_counts_ten_working_days_over_christmas_and_new_year() -> None:
    # From Friday 18 December 2026: 25 and 28 December and 1 January are not working days.
    dates = suggested_dates(LANCASHIRE, ICPC, date(2026, 12, 18))
    assert dates.core_group == date(2027, 1, 6)
    assert dates.core_group_basis == "within 10 working days of this conference"


def test_review_conference_suggests_six_months_rolled_back_before_easter() -> None:
    # 6 months after 29 September 2026 is Easter Monday 2027; Good Friday is the 26th.
    dates = suggested_dates(LANCASHIRE, RCPC, date(2026, 9, 29))
    assert dates.review == date(2027, 3, 25)
    assert dates.core_group is None  # a review has no first core group


def test_first_looked_after_review_suggests_the_second_within_three_months() -> None:
    dates = suggested_dates(
        NORTHMOOR_LAC, LAC, date(2026, 12, 29), looked_after_since=date(2026, 12, 1)
    )
    assert dates.review == date(2027, 3, 25)  # 29 March 2027 is Easter Monday
    assert dates.core_group is None


def test_later_looked_after_review_suggests_six_months_before_the_may_bank_holiday() -> None:
    dates = suggested_dates(
        NORTHMOOR_LAC, LAC, date(2026, 11, 3), previous_reviews=(date(2026, 8, 3),)
    )
    assert dates.review == date(2027, 4, 30)  # 3 May 2027 is the early May bank holiday


def test_changing_a_suggested_date_needs_a_reason() -> None:
    form = decision_form(LANCASHIRE, ICPC)
    dates = suggested_dates(LANCASHIRE, ICPC, date(2026, 9, 25))
    raw: dict[str, object] = {"plan": "yes", "category": "neglect", "review": "2026-12-17"}
    with pytest.raises(ValueError, match="give a reason"):
        checked_child_decision(raw, form, dates)
    raw["review_reason"] = "The chair is away on the 24th."
    made = checked_child_decision(raw, form, dates)
    assert made.review == date(2026, 12, 17)
    assert made.review_reason == "The chair is away on the 24th."


def test_a_plan_needs_its_category() -> None:
    form = decision_form(LANCASHIRE, ICPC)
    with pytest.raises(ValueError, match="category"):
        checked_child_decision(
            {"plan": "yes"}, form, suggested_dates(LANCASHIRE, ICPC, date.today())
        )


def test_no_plan_keeps_nothing_about_a_plan() -> None:
    form = decision_form(LANCASHIRE, ICPC)
    dates = suggested_dates(LANCASHIRE, ICPC, date(2026, 9, 25))
    raw = {"plan": "no", "category": "neglect", "core_group": dates.core_group}
    made = checked_child_decision(
        {k: v.isoformat() if isinstance(v, date) else v for k, v in raw.items()}, form, dates
    )
    assert made == Decisions(plan=False)


def test_a_plan_type_the_playbook_does_not_offer_is_refused() -> None:
    form = decision_form(LANCASHIRE, ICPC)
    dates = suggested_dates(LANCASHIRE, ICPC, date(2026, 9, 25))
    with pytest.raises(ValueError, match="plan type must be one of interim, outline"):
        checked_child_decision(
            {"plan": "yes", "category": "neglect", "plan_type": "ongoing"}, form, dates
        )


def test_looked_after_review_records_its_own_outcomes_only() -> None:
    form = decision_form(NORTHMOOR_LAC, LAC)
    assert form.looked_after and not form.asks_plan and not form.asks_core_group
    dates = suggested_dates(NORTHMOOR_LAC, LAC, date(2026, 12, 29))
    assert dates.review is not None
    made = checked_child_decision(
        {"review": dates.review.isoformat(), "care_plan_agreed": "yes"}, form, dates
    )
    assert made == Decisions(review=dates.review, care_plan_agreed=True)


def test_a_stored_decision_reads_back_the_same() -> None:
    made = Decisions(
        plan=True,
        category=AbuseCategory.EMOTIONAL,
        plan_type=PlanType.INTERIM,
        core_group=date(2027, 1, 6),
        review=date(2027, 3, 1),
        review_reason="Half term.",
    )
    assert decision_of(decision_record(made)) == made


def test_the_conference_has_a_plan_when_any_child_has_one() -> None:
    one = Decisions(plan=True, category=AbuseCategory.NEGLECT, review=date(2027, 3, 1))
    other = Decisions(plan=False)
    both = combined([one, other])
    assert both.plan is True
    assert both.review == date(2027, 3, 1)
