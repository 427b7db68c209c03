"""Seed 004 (Eastmoor, conferences by consultation): one test per rule."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import Channel
from bot.core.timeline import (
    ConferenceFacts,
    Step,
    StepKind,
    Timeline,
    TimelineError,
    compile_timeline,
)
from playbooks import load_bundled

LONDON = ZoneInfo("Europe/London")
PLAYBOOK = load_bundled("eastmoor")
ICPC, RCPC = ConferenceType.ICPC, ConferenceType.RCPC
PHONES = MeetingFormat.PHONE_SERIES
START = datetime(2027, 2, 12, 10, 0, tzinfo=LONDON)  # a Friday


def plan(kind: ConferenceType = ICPC, **extra: object) -> Timeline:
    return compile_timeline(PLAYBOOK, ConferenceFacts(kind, PHONES, START, **extra))  # type: ignore[arg-type]


def step(timeline: Timeline, step_id: str) -> Step:
    return next(s for s in timeline.steps if s.id == step_id)


def test_eastmoor_conferences_are_held_by_phone_consultation() -> None:
    for kind in (ICPC, RCPC):
        assert PLAYBOOK.rules(kind).formats.offered == (PHONES,)
    invites = [s for s in plan().steps if s.kind is StepKind.SEND_INVITES]
    assert invites == []  # no meeting link to send


def test_eastmoor_chair_consults_social_worker_and_team_manager() -> None:
    assert Role.TEAM_MANAGER in PLAYBOOK.rules(ICPC).roles()
    phase = PLAYBOOK.rules(ICPC).phase("consult_social_work")
    assert phase is not None and "team manager" in phase.prompt


def test_eastmoor_icpc_within_15_working_days_of_the_strategy_discussion() -> None:
    ok = plan(strategy_discussion=date(2027, 1, 22))
    assert ok.deadlines[0].last_day == date(2027, 2, 12)
    with pytest.raises(TimelineError, match="last allowed day, Thu 11 February 2027"):
        plan(strategy_discussion=date(2027, 1, 21))


def test_eastmoor_sw_report_ready_3_days_before() -> None:
    ready = step(plan(), "icpc.report_sharing.sw_report_ready")
    assert ready.actor is Role.SOCIAL_WORKER
    assert ready.due == START - timedelta(days=3)


def test_eastmoor_sw_report_ready_moves_earlier_off_a_weekend() -> None:
    # Three days before Tuesday 16 February is a Saturday: Friday's close of day instead.
    tuesday = datetime(2027, 2, 16, 10, 0, tzinfo=LONDON)
    timeline = compile_timeline(PLAYBOOK, ConferenceFacts(ICPC, PHONES, tuesday))
    due = step(timeline, "icpc.report_sharing.sw_report_ready").due.astimezone(LONDON)
    assert (due.date(), due.time()) == (date(2027, 2, 12), time(17, 0))


def test_eastmoor_admin_sends_sw_report_to_agencies_by_secure_email() -> None:
    share = step(plan(), "icpc.report_sharing.sw_report_to_agencies")
    assert share.actor is Role.ADMIN
    assert share.audience == (Role.AGENCY,)
    assert share.channel is Channel.EMAIL
    assert share.due > step(plan(), "icpc.report_sharing.sw_report_ready").due


@pytest.mark.parametrize("kind", [ICPC, RCPC])
def test_eastmoor_decision_emailed_to_agencies_after_the_conference(kind: ConferenceType) -> None:
    email = step(plan(kind), f"{kind.value.lower()}.follow_ups.decision_email")
    assert email.audience == (Role.AGENCY,)
    assert email.due > START


@pytest.mark.parametrize("kind", [ICPC, RCPC])
def test_eastmoor_outline_plan_reaches_family_professionals_and_sw_within_24_hours(
    kind: ConferenceType,
) -> None:
    outline = step(plan(kind), f"{kind.value.lower()}.follow_ups.outline_plan")
    assert set(outline.audience) == {Role.PARENT, Role.SOCIAL_WORKER, Role.AGENCY}
    assert outline.due == START + timedelta(hours=2) + timedelta(hours=24)


def test_eastmoor_review_date_is_agreed_with_social_worker_and_family() -> None:
    phase = PLAYBOOK.rules(ICPC).phase("decisions")
    assert phase is not None and "family" in phase.prompt
    outline = PLAYBOOK.rules(ICPC).follow_ups[1]
    assert "review date" in outline.note


def test_eastmoor_chair_keeps_to_the_two_hour_slot() -> None:
    timeline = plan()
    assert timeline.end - timeline.start == timedelta(hours=2)
