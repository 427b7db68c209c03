"""Seed 001 (Portsmouth): each timing, audience, order and content rule, one test each."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import (
    Anchor,
    AttendanceEvidence,
    AttendanceOutcome,
    Channel,
    PhaseKind,
)
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
PLAYBOOK = load_bundled("portsmouth")
ICPC, RCPC, TI = ConferenceType.ICPC, ConferenceType.RCPC, ConferenceType.TI
CALL, PHONES = MeetingFormat.CONFERENCE_CALL, MeetingFormat.PHONE_SERIES
START = datetime(2027, 1, 15, 10, 0, tzinfo=LONDON)  # a Friday


def plan(kind: ConferenceType = ICPC, **extra: object) -> Timeline:
    fmt = PHONES if kind is RCPC else CALL
    return compile_timeline(PLAYBOOK, ConferenceFacts(kind, fmt, START, **extra))  # type: ignore[arg-type]


def step(timeline: Timeline, step_id: str) -> Step:
    return next(s for s in timeline.steps if s.id == step_id)


def test_portsmouth_icpc_and_transfer_in_are_conference_calls_and_reviews_phone_calls() -> None:
    assert PLAYBOOK.rules(ICPC).formats.offered == (CALL,)
    assert PLAYBOOK.rules(TI).formats.offered == (CALL,)
    assert PLAYBOOK.rules(RCPC).formats.offered == (PHONES,)
    for kind in (ICPC, TI, RCPC):
        assert MeetingFormat.FACE_TO_FACE not in PLAYBOOK.rules(kind).formats.offered


@pytest.mark.parametrize("kind", [ICPC, TI])
def test_portsmouth_family_is_on_the_call_from_the_start_and_never_removed(
    kind: ConferenceType,
) -> None:
    timeline = plan(kind)
    assert timeline.held_back == {}
    invite = step(timeline, f"{kind.value.lower()}.invitations.online")
    assert Role.PARENT in invite.audience
    assert not [s for s in timeline.steps if s.kind is StepKind.RELEASE_HELD_BACK]


@pytest.mark.parametrize("kind", [ICPC, TI])
def test_portsmouth_refuses_a_confidential_section_on_the_call(kind: ConferenceType) -> None:
    with pytest.raises(TimelineError, match="no confidential section"):
        plan(kind, confidential=timedelta(minutes=15))


def test_portsmouth_confidential_information_is_emailed_to_admin_24_hours_before() -> None:
    task = step(plan(), "icpc.preparation.confidential_information_to_admin")
    assert task.actor is Role.AGENCY
    assert task.audience == (Role.ADMIN,)
    assert task.due == START - timedelta(hours=24)
    assert "chair decides" in task.text


def test_portsmouth_agency_reports_reach_admin_48_hours_before() -> None:
    share = step(plan(), "icpc.report_sharing.agency_reports_to_admin")
    assert share.audience == (Role.ADMIN,)
    assert share.due == START - timedelta(hours=48)


def test_portsmouth_agencies_share_their_reports_with_the_family_before_the_icpc() -> None:
    share = step(plan(), "icpc.report_sharing.agency_reports_to_family")
    assert share.audience == (Role.PARENT,)
    assert share.due < START


def test_portsmouth_rcpc_sw_report_forwarded_to_family_and_professionals_24_hours_before() -> None:
    share = step(plan(RCPC), "rcpc.report_sharing.sw_report_forwarded")
    assert share.actor is Role.ADMIN
    assert set(share.audience) == {Role.PARENT, Role.AGENCY}
    assert share.due == START - timedelta(hours=24)


def test_portsmouth_social_worker_asks_family_for_a_safe_email_address_first() -> None:
    timeline = plan()
    ask = step(timeline, "icpc.preparation.family_email_address")
    first_share = min(s.due for s in timeline.steps if s.kind is StepKind.SHARE_DOCUMENTS)
    assert ask.due < first_share


def test_portsmouth_chair_asks_each_agency_for_a_view_on_the_plan_with_reasons() -> None:
    for kind in (ICPC, RCPC):
        phase = PLAYBOOK.rules(kind).phase("decision_round")
        assert phase is not None
        assert phase.kind is PhaseKind.DECISION_ROUND
        assert phase.rationale_required


def test_portsmouth_decision_round_comes_after_the_concerns() -> None:
    order = [s.id for s in plan().steps if s.kind is StepKind.PHASE]
    assert order.index("icpc.run_sheet.agency_summaries") < order.index(
        "icpc.run_sheet.decision_round"
    )


def test_portsmouth_minute_taker_on_calls_and_chair_notes_phone_reviews() -> None:
    assert Role.MINUTE_TAKER in PLAYBOOK.rules(ICPC).roles()
    assert Role.MINUTE_TAKER in PLAYBOOK.rules(TI).roles()
    assert Role.MINUTE_TAKER not in PLAYBOOK.rules(RCPC).roles()
    assert step(plan(RCPC), "rcpc.follow_ups.minutes").actor is Role.CHAIR


def test_portsmouth_plans_are_sent_by_email() -> None:
    plan_step = step(plan(), "icpc.follow_ups.plan_by_email")
    assert plan_step.channel is Channel.EMAIL
    assert {Role.PARENT, Role.AGENCY} <= set(plan_step.audience)


def test_portsmouth_an_agency_that_only_sends_information_did_not_attend() -> None:
    rules = PLAYBOOK.rules(ICPC)
    assert rules.attendance_outcome([AttendanceEvidence.REPORT_ONLY]) is (
        AttendanceOutcome.NOT_ATTENDED
    )
    assert PLAYBOOK.rules(RCPC).attendance_outcome([AttendanceEvidence.PHONE_CONVERSATION]) is (
        AttendanceOutcome.ATTENDED
    )


def test_portsmouth_transfer_in_within_15_working_days_of_being_told() -> None:
    told = date(2027, 1, 4)
    ok = plan(TI, anchors={Anchor.TRANSFER_NOTIFIED: told})
    assert ok.deadlines[0].last_day == date(2027, 1, 25)
    with pytest.raises(TimelineError, match="last allowed day"):
        plan(TI, anchors={Anchor.TRANSFER_NOTIFIED: date(2026, 12, 1)})


def test_portsmouth_reviews_keep_statutory_timescales() -> None:
    timeline = plan(RCPC, anchors={Anchor.PREVIOUS_ICPC: date(2026, 10, 20)})
    assert timeline.deadlines[0].last_day == date(2027, 1, 20)
    assert timeline.deadlines[0].met
