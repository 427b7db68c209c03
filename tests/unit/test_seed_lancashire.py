"""Seed 000 (Lancashire): each timing, audience, order and content rule, one test each."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import Decision, PhaseKind, render_minutes_statement
from bot.core.timeline import ConferenceFacts, Step, StepKind, Timeline, compile_timeline
from playbooks import load_bundled

LONDON = ZoneInfo("Europe/London")
PLAYBOOK = load_bundled("lancashire")
ICPC, RCPC = ConferenceType.ICPC, ConferenceType.RCPC
TEAMS, HYBRID = MeetingFormat.TEAMS, MeetingFormat.HYBRID
# Friday 15 January 2027, 10:00: no weekend or holiday inside 72 hours of it.
START = datetime(2027, 1, 15, 10, 0, tzinfo=LONDON)


def plan(kind: ConferenceType = ICPC, fmt: MeetingFormat = TEAMS, **extra: object) -> Timeline:
    facts = ConferenceFacts(kind, fmt, START, **extra)  # type: ignore[arg-type]
    return compile_timeline(PLAYBOOK, facts)


def step(timeline: Timeline, step_id: str) -> Step:
    return next(s for s in timeline.steps if s.id == step_id)


def ids(timeline: Timeline) -> list[str]:
    return [s.id for s in timeline.steps]


def test_lancashire_invites_wait_for_the_chair_and_social_worker_to_agree_the_format() -> None:
    formats = PLAYBOOK.rules(ICPC).formats
    assert formats.hold_invites_until_decided
    assert formats.decided_by is Role.CHAIR
    assert Role.SOCIAL_WORKER in formats.consulted


def test_lancashire_rcpc_format_weighs_risk_with_social_worker_and_team_manager() -> None:
    assert set(PLAYBOOK.rules(RCPC).formats.consulted) == {Role.SOCIAL_WORKER, Role.TEAM_MANAGER}
    assert set(PLAYBOOK.rules(RCPC).formats.offered) == {TEAMS, HYBRID}


@pytest.mark.parametrize("kind", [ICPC, RCPC])
def test_lancashire_parent_is_not_on_the_online_invite(kind: ConferenceType) -> None:
    invite = step(plan(kind), f"{kind.value.lower()}.invitations.online")
    assert Role.PARENT not in invite.audience
    assert invite.carries_join_link
    assert plan(kind).held_back == {Role.PARENT: "call_parent_in"}


def test_lancashire_parent_gets_a_letter_explaining_why_the_conference_is_online() -> None:
    letter = step(plan(), "icpc.letters.parent.virtual_conference")
    assert letter.audience == (Role.PARENT,)
    assert letter.actor is Role.ADMIN
    assert not letter.carries_join_link
    assert "COVID-19" in letter.text


def test_lancashire_icpc_sw_report_reaches_parents_48_hours_before() -> None:
    share = step(plan(), "icpc.report_sharing.sw_report_to_parents")
    assert share.audience == (Role.PARENT,)
    assert share.actor is Role.SOCIAL_WORKER
    assert share.due == (START - timedelta(hours=48)).astimezone(share.due.tzinfo)


def test_lancashire_icpc_sw_talks_report_through_with_parents_by_phone() -> None:
    talk = step(plan(), "icpc.report_sharing.sw_report_to_parents.discussion")
    assert talk.kind is StepKind.PHONE_DISCUSSION
    assert talk.audience == (Role.PARENT,)
    assert talk.due == START - timedelta(hours=48)


def test_lancashire_icpc_sw_report_reaches_agencies_24_hours_before() -> None:
    share = step(plan(), "icpc.report_sharing.sw_report_to_agencies")
    assert share.audience == (Role.AGENCY,)
    assert share.due == START - timedelta(hours=24)


def test_lancashire_icpc_agency_reports_reach_parents_agencies_and_sw_24_hours_before() -> None:
    share = step(plan(), "icpc.report_sharing.agency_reports_shared")
    assert set(share.audience) == {Role.PARENT, Role.AGENCY, Role.SOCIAL_WORKER}
    assert share.due == START - timedelta(hours=24)


def test_lancashire_rcpc_core_group_report_reaches_parents_72_hours_before() -> None:
    share = step(plan(RCPC), "rcpc.report_sharing.core_group_report_to_parents")
    assert share.documents == ("core_group_report",)
    assert share.audience == (Role.PARENT,)
    assert share.due == START - timedelta(hours=72)
    assert step(plan(RCPC), "rcpc.report_sharing.core_group_report_to_parents.discussion")


def test_lancashire_rcpc_at_a_venue_report_reaches_parents_48_hours_before() -> None:
    timeline = plan(RCPC, HYBRID)
    assert "rcpc.report_sharing.core_group_report_to_parents" not in ids(timeline)
    share = step(timeline, "rcpc.report_sharing.sw_report_to_parents_at_venue")
    assert share.due == START - timedelta(hours=48)


def test_lancashire_rcpc_core_group_report_reaches_agencies_24_hours_before() -> None:
    share = step(plan(RCPC), "rcpc.report_sharing.core_group_report_to_agencies")
    assert share.audience == (Role.AGENCY,)
    assert share.due == START - timedelta(hours=24)


def test_lancashire_rcpc_differing_agency_views_reach_parents_sw_and_admin_24_hours_before() -> (
    None
):
    share = step(plan(RCPC), "rcpc.report_sharing.differing_views")
    assert {Role.PARENT, Role.SOCIAL_WORKER, Role.ADMIN} <= set(share.audience)
    assert share.due == START - timedelta(hours=24)


def test_lancashire_sw_confirms_the_number_the_chair_will_call_parents_on() -> None:
    task = step(plan(), "icpc.preparation.parent_contact_number")
    assert task.actor is Role.SOCIAL_WORKER
    assert task.due < START
    assert "icpc.preparation.parent_contact_number" not in ids(plan(fmt=HYBRID))


@pytest.mark.parametrize("fmt", [TEAMS, HYBRID])
def test_lancashire_chair_contacts_parents_before_the_meeting(fmt: MeetingFormat) -> None:
    call = step(plan(fmt=fmt), "icpc.preparation.chair_calls_parents")
    assert call.actor is Role.CHAIR
    assert call.audience == (Role.PARENT,)
    assert call.due < START


def test_lancashire_consent_from_everyone_comes_first_and_is_asked_again_on_join() -> None:
    phases = [s for s in plan().steps if s.kind is StepKind.PHASE]
    assert phases[0].template == "phase.recording_consent"
    assert phases[0].due == START
    consent = PLAYBOOK.rules(ICPC).phase("consent")
    assert consent is not None and consent.ask_again_on_join
    assert "parents" in phases[0].text


def test_lancashire_confidential_section_is_held_before_the_parent_joins() -> None:
    timeline = plan(confidential=timedelta(minutes=20))
    order = ids(timeline)
    assert order.index("icpc.run_sheet.confidential_section") < order.index("icpc.release.parent")
    assert Role.PARENT not in step(timeline, "icpc.run_sheet.confidential_section").audience


def test_lancashire_chair_calls_parent_in_when_the_confidential_section_ends() -> None:
    timeline = plan(confidential=timedelta(minutes=30))
    release = step(timeline, "icpc.release.parent")
    assert release.due == START + timedelta(minutes=30)
    assert "agreed number" in release.text
    assert step(timeline, "icpc.run_sheet.call_parent_in").due == release.due


def test_lancashire_confidential_section_defaults_to_twenty_minutes() -> None:
    phase = PLAYBOOK.rules(ICPC).phase("confidential_section")
    assert phase is not None and phase.optional
    assert str(phase.default_length) == "20 minutes"


def test_lancashire_summaries_then_decisions_then_closing_call_to_parents() -> None:
    kinds = [
        PLAYBOOK.rules(ICPC).phase(s.phase or "") for s in plan().steps if s.kind is StepKind.PHASE
    ]
    order = [p.kind for p in kinds if p is not None]
    assert order.index(PhaseKind.AGENCY_SUMMARIES) < order.index(PhaseKind.DECISIONS)
    assert order[-1] is PhaseKind.FEEDBACK_CALL
    feedback = step(plan(), "icpc.run_sheet.feedback_call")
    assert feedback.audience == (Role.PARENT,)


def test_lancashire_icpc_decides_plan_interim_plan_core_group_and_review_dates() -> None:
    decisions = PLAYBOOK.rules(ICPC).phase("decisions")
    assert decisions is not None
    assert set(decisions.decisions) == {
        Decision.CP_PLAN,
        Decision.PLAN_TYPE,
        Decision.CORE_GROUP_DATE,
        Decision.REVIEW_DATE,
    }
    assert "interim" in decisions.prompt


def test_lancashire_rcpc_summaries_cover_progress_on_the_plan() -> None:
    phase = PLAYBOOK.rules(RCPC).phase("agency_summaries")
    assert phase is not None and "progress" in phase.prompt


def test_lancashire_minutes_say_the_conference_was_held_online_because_of_covid() -> None:
    text = render_minutes_statement(PLAYBOOK, ICPC, TEAMS, "15 January 2027")
    assert "initial child protection conference" in text
    assert "COVID-19" in text
    assert "special measures" in text.lower()


def test_lancashire_parent_at_a_venue_gets_a_formal_invite_without_a_link() -> None:
    timeline = plan(fmt=HYBRID)
    formal = step(timeline, "icpc.invitations.formal")
    assert formal.audience == (Role.PARENT,)
    assert not formal.carries_join_link
    assert timeline.held_back == {}


def test_lancashire_first_core_group_within_10_working_days() -> None:
    core = step(plan(), "icpc.timescales.first_core_group")
    assert core.due.astimezone(LONDON).date() == date(2027, 1, 29)
    assert core.working_days
