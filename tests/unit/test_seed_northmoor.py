"""Seed 003 (Northmoor, CP conferences; its LAC reviews are northmoor-lac): one test per rule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import Decision
from bot.core.timeline import ConferenceFacts, Step, StepKind, Timeline, compile_timeline
from playbooks import load_bundled

LONDON = ZoneInfo("Europe/London")
PLAYBOOK = load_bundled("northmoor")
ICPC, RCPC, LAC = ConferenceType.ICPC, ConferenceType.RCPC, ConferenceType.LAC
LAC_PLAYBOOK = load_bundled("northmoor-lac")
TEAMS = MeetingFormat.TEAMS
START = datetime(2027, 2, 10, 10, 0, tzinfo=LONDON)  # a Wednesday


def plan(kind: ConferenceType = ICPC, **extra: object) -> Timeline:
    playbook = LAC_PLAYBOOK if kind is LAC else PLAYBOOK
    return compile_timeline(playbook, ConferenceFacts(kind, TEAMS, START, **extra))  # type: ignore[arg-type]


def step(timeline: Timeline, step_id: str) -> Step:
    return next(s for s in timeline.steps if s.id == step_id)


def test_northmoor_cp_conferences_and_lac_reviews_are_separate_playbooks() -> None:
    # One service takes CP requests from one mailbox and LAC requests from another.
    assert set(PLAYBOOK.conferences) == {ICPC, RCPC}
    assert set(LAC_PLAYBOOK.conferences) == {LAC}
    assert PLAYBOOK.seed == LAC_PLAYBOOK.seed
    assert PLAYBOOK.council == LAC_PLAYBOOK.council


def test_northmoor_runs_cp_conferences_and_lac_reviews_the_same_way() -> None:
    for playbook in (PLAYBOOK, LAC_PLAYBOOK):
        for kind in playbook.conferences:
            assert playbook.rules(kind).formats.offered == (TEAMS,)
    assert PLAYBOOK.cancellation == LAC_PLAYBOOK.cancellation
    assert PLAYBOOK.minutes_statement == LAC_PLAYBOOK.minutes_statement


@pytest.mark.parametrize("kind", [ICPC, RCPC, LAC])
def test_northmoor_everyone_has_the_agreed_plan_within_5_working_days(kind: ConferenceType) -> None:
    timeline = plan(kind)
    sent = step(timeline, f"{kind.value.lower()}.follow_ups.agreed_plan")
    assert {Role.PARENT, Role.SOCIAL_WORKER, Role.AGENCY} <= set(sent.audience)
    assert sent.working_days
    # Meeting ends Wed 10 Feb at 12:00; five working days on is Wed 17 Feb.
    assert sent.due.astimezone(LONDON).date() == date(2027, 2, 17)


def test_northmoor_cancelling_needs_the_safeguarding_service_manager_and_a_reason() -> None:
    assert PLAYBOOK.cancellation.approver == "Safeguarding Service Manager"
    assert PLAYBOOK.cancellation.rationale_required
    assert PLAYBOOK.cancellation.recorded_on == "the child's record"


def test_northmoor_chair_contacts_parents_before_the_meeting() -> None:
    call = step(plan(), "icpc.preparation.chair_calls_parents")
    assert call.actor is Role.CHAIR
    assert call.audience == (Role.PARENT,)
    assert call.due < START


def test_northmoor_parents_are_invited_to_join_the_meeting() -> None:
    timeline = plan()
    assert Role.PARENT in step(timeline, "icpc.invitations.online").audience
    assert timeline.held_back == {}


def test_northmoor_chair_decides_how_the_young_person_takes_part_and_tells_the_meeting() -> None:
    timeline = plan()
    assert Role.YOUNG_PERSON not in step(timeline, "icpc.invitations.online").audience
    assert step(timeline, "icpc.preparation.young_person_views").actor is Role.CHAIR
    phase = PLAYBOOK.rules(ICPC).phase("young_person_participation")
    assert phase is not None and Decision.YOUNG_PERSON_PARTICIPATION in phase.decisions


def test_northmoor_family_views_are_shared_in_the_meeting() -> None:
    phases = [s.id for s in plan().steps if s.kind is StepKind.PHASE]
    assert "icpc.run_sheet.family_views" in phases
    assert phases.index("icpc.run_sheet.family_views") < phases.index("icpc.run_sheet.decisions")


def test_northmoor_chair_phones_parents_after_if_they_did_not_join() -> None:
    update = step(plan(), "icpc.follow_ups.update_absent_parents")
    assert update.actor is Role.CHAIR
    assert update.audience == (Role.PARENT,)
    assert update.due > START


def test_northmoor_clerk_dials_in_to_take_the_record() -> None:
    assert Role.MINUTE_TAKER in step(plan(), "icpc.invitations.online").audience


def test_northmoor_consent_is_asked_before_any_recording() -> None:
    phases = [s for s in plan().steps if s.kind is StepKind.PHASE]
    assert phases[0].template == "phase.recording_consent"
