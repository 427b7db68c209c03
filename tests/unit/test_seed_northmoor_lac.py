"""Seed 003 (Northmoor's looked-after child reviews, northmoor-lac): one test per rule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import Anchor
from bot.core.timeline import (
    ConferenceFacts,
    StepKind,
    Timeline,
    TimelineError,
    compile_timeline,
    next_review_due,
)
from playbooks import load_bundled

LONDON = ZoneInfo("Europe/London")
PLAYBOOK = load_bundled("northmoor-lac")
LAC = ConferenceType.LAC
TEAMS = MeetingFormat.TEAMS
START = datetime(2027, 2, 10, 10, 0, tzinfo=LONDON)  # a Wednesday


def plan(**extra: object) -> Timeline:
    return compile_timeline(PLAYBOOK, ConferenceFacts(LAC, TEAMS, START, **extra))  # type: ignore[arg-type]


def test_northmoor_lac_holds_looked_after_reviews_only() -> None:
    assert set(PLAYBOOK.conferences) == {LAC}
    with pytest.raises(TimelineError, match="no ICPC"):
        compile_timeline(PLAYBOOK, ConferenceFacts(ConferenceType.ICPC, TEAMS, START))


def test_northmoor_lac_first_review_within_20_working_days_of_coming_into_care() -> None:
    timeline = plan(looked_after_since=date(2027, 1, 13))
    assert [d.last_day for d in timeline.deadlines] == [date(2027, 2, 10)]
    assert timeline.deadlines[0].met


def test_northmoor_lac_first_review_limit_also_reads_the_looked_after_anchor() -> None:
    timeline = plan(anchors={Anchor.BECAME_LOOKED_AFTER: date(2027, 1, 13)})
    assert timeline.deadlines[0].last_day == date(2027, 2, 10)


def test_northmoor_lac_second_review_within_3_months_of_the_first() -> None:
    timeline = plan(looked_after_since=date(2026, 10, 1), previous_reviews=(date(2026, 11, 10),))
    # Only the second review's limit applies, not the first review's 20 working days.
    assert [d.last_day for d in timeline.deadlines] == [date(2027, 2, 10)]
    assert timeline.deadlines[0].met


def test_northmoor_lac_second_review_after_3_months_is_refused_in_words() -> None:
    with pytest.raises(TimelineError) as caught:
        plan(previous_reviews=(date(2026, 11, 9),))
    message = str(caught.value)
    assert "last allowed day, Tue 09 February 2027" in message
    assert "3 months after the previous review" in message
    assert "record the reason for the delay and who agreed it" in message
    assert "second_lac_review" not in message and "timescales[" not in message


def test_northmoor_lac_later_reviews_every_6_months() -> None:
    held = (date(2026, 2, 20), date(2026, 8, 20))
    timeline = plan(previous_reviews=held)
    # 6 months after Thu 20 August 2026 is Saturday 20 February: the Friday before.
    assert [d.last_day for d in timeline.deadlines] == [date(2027, 2, 19)]
    assert timeline.deadlines[0].met


def test_northmoor_lac_next_review_dates_follow_the_series() -> None:
    since = date(2027, 1, 13)
    assert next_review_due(PLAYBOOK, LAC, since, []) == date(2027, 2, 10)
    assert next_review_due(PLAYBOOK, LAC, since, [date(2027, 2, 10)]) == date(2027, 5, 10)
    later = [date(2027, 2, 10), date(2027, 5, 10)]
    assert next_review_due(PLAYBOOK, LAC, since, later) == date(2027, 11, 10)


def test_northmoor_lac_next_review_date_needs_its_anchor_and_type() -> None:
    assert next_review_due(PLAYBOOK, LAC, None, []) is None
    assert next_review_due(load_bundled("northmoor"), LAC, date(2027, 1, 13), []) is None


def test_northmoor_lac_everyone_has_the_agreed_plan_within_5_working_days() -> None:
    sent = next(s for s in plan().steps if s.id == "lac.follow_ups.agreed_plan")
    assert {Role.PARENT, Role.SOCIAL_WORKER, Role.AGENCY} <= set(sent.audience)
    assert sent.due.astimezone(LONDON).date() == date(2027, 2, 17)


def test_northmoor_lac_chair_tells_the_meeting_how_the_young_person_takes_part() -> None:
    timeline = plan()
    invite = next(s for s in timeline.steps if s.id == "lac.invitations.online")
    assert Role.YOUNG_PERSON not in invite.audience
    phases = [s.id for s in timeline.steps if s.kind is StepKind.PHASE]
    assert "lac.run_sheet.young_person_participation" in phases


def test_northmoor_lac_cancelling_needs_the_safeguarding_service_manager() -> None:
    assert PLAYBOOK.cancellation.approver == "Safeguarding Service Manager"
    assert PLAYBOOK.cancellation.rationale_required
