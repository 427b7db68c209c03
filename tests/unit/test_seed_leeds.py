"""Seed 002 (Leeds ISU): each timing, audience, order and content rule, one test each."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.distribution import distribution_allowed, item_for
from bot.core.playbook.model import AttendanceEvidence, AttendanceOutcome, Channel
from bot.core.timeline import (
    ConferenceFacts,
    ContactChannel,
    FactParticipant,
    Step,
    StepKind,
    Timeline,
    compile_timeline,
)
from playbooks import load_bundled

LONDON = ZoneInfo("Europe/London")
PLAYBOOK = load_bundled("leeds")
ICPC, RCPC = ConferenceType.ICPC, ConferenceType.RCPC
TEAMS, PHONES = MeetingFormat.TEAMS, MeetingFormat.PHONE_SERIES
START = datetime(2027, 1, 14, 10, 0, tzinfo=LONDON)  # a Thursday
EVERYONE = tuple(
    FactParticipant(role)
    for role in (Role.CHAIR, Role.SOCIAL_WORKER, Role.PARENT, Role.POLICE, Role.GP, Role.SCHOOL)
)


def plan(kind: ConferenceType = ICPC, fmt: MeetingFormat = TEAMS, **extra: object) -> Timeline:
    extra.setdefault("participants", EVERYONE)
    return compile_timeline(PLAYBOOK, ConferenceFacts(kind, fmt, START, **extra))  # type: ignore[arg-type]


def step(timeline: Timeline, step_id: str) -> Step:
    return next(s for s in timeline.steps if s.id == step_id)


@pytest.mark.parametrize("kind", [ICPC, RCPC])
def test_leeds_report_packs_go_out_two_full_days_before(kind: ConferenceType) -> None:
    timeline = plan(kind)
    prefix = kind.value.lower()
    for rule in ("report_pack_to_professionals", "parent_pack_to_parents"):
        pack = step(timeline, f"{prefix}.report_sharing.{rule}")
        due = pack.due.astimezone(LONDON)
        # Tuesday and Wednesday stay clear: the pack goes by the close of Monday.
        assert (due.date(), due.time()) == (date(2027, 1, 11), time(17, 0))
        assert pack.actor is Role.ADMIN


def test_leeds_police_reports_are_never_shared_electronically() -> None:
    for s in plan().steps:
        assert "police_report" not in s.documents
    pack = PLAYBOOK.document("report_pack")
    assert "police_report" not in pack.contains
    verdict = distribution_allowed(
        item_for(PLAYBOOK, "police_report"), Role.SCHOOL, Channel.EMAIL, PLAYBOOK.distribution
    )
    assert not verdict.allowed


def test_leeds_no_report_pack_goes_to_a_gp_practice() -> None:
    pack = step(plan(), "icpc.report_sharing.report_pack_to_professionals")
    assert Role.GP not in pack.audience
    assert [w.role for w in pack.withheld] == [Role.GP]
    assert {Role.POLICE, Role.SCHOOL} <= set(pack.audience)


def test_leeds_parents_get_a_separate_pack_without_police_information() -> None:
    timeline = plan()
    professional = step(timeline, "icpc.report_sharing.report_pack_to_professionals")
    parents = step(timeline, "icpc.report_sharing.parent_pack_to_parents")
    assert Role.PARENT not in professional.audience
    assert parents.audience == (Role.PARENT,)
    assert parents.documents == ("parent_pack",)
    assert not PLAYBOOK.contains_restricted("parent_pack")
    refused = distribution_allowed(
        item_for(PLAYBOOK, "report_pack"), Role.PARENT, Channel.EMAIL, PLAYBOOK.distribution
    )
    assert refused.reason == "parents receive only the parent pack"


def test_leeds_reply_to_the_pack_email_counts_as_attending() -> None:
    rules = PLAYBOOK.rules(ICPC)
    assert rules.attendance_outcome([AttendanceEvidence.REPLIED_TO_PACK_EMAIL]) is (
        AttendanceOutcome.ATTENDED
    )


def test_leeds_report_alone_with_no_reply_counts_as_not_attending() -> None:
    rules = PLAYBOOK.rules(ICPC)
    assert rules.attendance_outcome([AttendanceEvidence.REPORT_ONLY]) is (
        AttendanceOutcome.NOT_ATTENDED
    )


def test_leeds_a_phone_conversation_counts_as_attending() -> None:
    rules = PLAYBOOK.rules(RCPC)
    evidence = [AttendanceEvidence.REPORT_ONLY, AttendanceEvidence.PHONE_CONVERSATION]
    assert rules.attendance_outcome(evidence) is AttendanceOutcome.ATTENDED


def test_leeds_minute_taker_is_invited_to_the_teams_meeting() -> None:
    invite = step(plan(), "icpc.invitations.online")
    assert Role.MINUTE_TAKER in invite.audience
    assert Role.MINUTE_TAKER not in PLAYBOOK.rules(ICPC).roles(PHONES)


def test_leeds_parents_are_invited_to_the_meeting_where_possible() -> None:
    assert Role.PARENT in step(plan(), "icpc.invitations.online").audience
    assert plan().held_back == {}


def test_leeds_family_without_email_has_the_reports_gone_through_by_phone() -> None:
    no_email = (*EVERYONE[:2], FactParticipant(Role.PARENT, frozenset({ContactChannel.PHONE})))
    timeline = plan(participants=no_email)
    ids = [s.id for s in timeline.steps]
    assert "icpc.report_sharing.parent_pack_to_parents" not in ids
    verbal = step(timeline, "icpc.report_sharing.parent_pack_to_parents.by_phone")
    assert verbal.kind is StepKind.SHARE_VERBALLY
    assert verbal.channel is Channel.PHONE
    assert verbal.audience == (Role.PARENT,)


def test_leeds_reports_reach_the_isu_before_the_packs_go() -> None:
    timeline = plan()
    submit = step(timeline, "icpc.preparation.reports_to_isu")
    pack = step(timeline, "icpc.report_sharing.report_pack_to_professionals")
    assert submit.audience == (Role.ADMIN,)
    assert submit.due < pack.due


def test_leeds_agencies_go_through_their_reports_with_parents_by_phone() -> None:
    share = step(plan(), "icpc.report_sharing.agency_reports_to_family")
    assert share.channel is Channel.PHONE


def test_leeds_pack_email_asks_for_a_reply_with_a_view_on_the_plan() -> None:
    rule = PLAYBOOK.rules(ICPC).report_sharing[0]
    assert "reply" in rule.note
    assert "view on a plan" in rule.note


def test_leeds_summary_of_the_meeting_goes_to_the_family_and_contact_group() -> None:
    summary = step(plan(), "icpc.follow_ups.summary_record")
    assert {Role.PARENT, Role.SOCIAL_WORKER} <= set(summary.audience)


def test_leeds_offers_a_teams_meeting_or_a_series_of_phone_calls() -> None:
    assert set(PLAYBOOK.rules(ICPC).formats.offered) == {TEAMS, PHONES}


def test_leeds_advocate_can_be_invited_to_the_meeting() -> None:
    participant = PLAYBOOK.rules(ICPC).participant(Role.ADVOCATE, TEAMS)
    assert participant is not None and participant.invited
