"""Aftercare: reading the records into minutes, prompts after the meeting, approval rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.conference import Conference, Role, TimelineEntry
from bot.core.consent import ConsentStatus
from bot.core.errors import ActionRefused, InvalidInput
from bot.core.minutes.model import Decisions, ParentJoin, PlanView
from bot.core.playbook.terms import AttendanceEvidence
from bot.runtime.aftercare.mail import decision_email, plan_email
from bot.runtime.aftercare.records import (
    checked_decisions,
    minutes_input,
    participant_key,
    party_index,
)
from bot.store.database import Database
from playbooks import load_bundled
from tests.unit.test_aftercare_support import World, held_conference, make_database, world

START = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = make_database(tmp_path)
    yield db
    db.dispose()


def _entry(kind: str, at_minutes: int, actor: str = "confbot", **detail: object) -> TimelineEntry:
    return TimelineEntry(0, 1, START + timedelta(minutes=at_minutes), actor, kind, None, detail)


def _conference(database: Database, playbook_name: str = "leeds") -> tuple[World, Conference]:
    w = world(database, load_bundled(playbook_name))
    conference = held_conference(
        w,
        [
            (Role.PARENT, "parent@family.example.net"),
            (Role.POLICE, "police@example.org"),
            (Role.GP, "gp@example.org"),
            (Role.SCHOOL, "school@example.org"),
        ],
    )
    return w, conference


def test_run_sheet_party_ids_resolve_to_participants_whatever_scheme_the_caller_used(
    database: Database,
) -> None:
    _, conference = _conference(database)
    parent = conference.participants[0]
    index = party_index(conference)
    for alias in (f"participant-{parent.id}", f"parent-{parent.id}", str(parent.id)):
        assert index[alias] == participant_key(parent)


def test_reply_to_the_pack_email_counts_as_attending_where_the_playbook_says_so(
    database: Database,
) -> None:
    w, conference = _conference(database, "leeds")
    parent, police, gp, school = conference.participants
    entries = [
        _entry("reply", 0, actor=f"participant:{police.id}"),
        _entry("report_received", 0, actor=f"participant:{gp.id}"),
        _entry("runsheet.meeting_started", 1),
        _entry("runsheet.consent_given", 2, party=f"participant-{school.id}"),
        _entry(
            "runsheet.answered",
            30,
            prompt_kind="callback",
            answer="no_answer",
            party=f"parent-{parent.id}",
        ),
        _entry(
            "runsheet.answered",
            40,
            prompt_kind="agency_view",
            answer="no_plan",
            party=f"school-{school.id}",
        ),
        _entry("runsheet.meeting_ended", 90),
    ]
    data = minutes_input(conference, entries, w.conferences.timeline(conference))
    evidence = {p.key: p.evidence for p in data.participants}
    assert evidence[participant_key(police)] == {AttendanceEvidence.REPLIED_TO_PACK_EMAIL}
    assert evidence[participant_key(gp)] == {AttendanceEvidence.REPORT_ONLY}
    assert data.consent == {participant_key(school): ConsentStatus.CONSENTED}
    assert data.parents[0].join is ParentJoin.NO_ANSWER
    assert data.contributions[0].view is PlanView.NO_PLAN
    assert data.end == START + timedelta(minutes=90)


def test_decisions_recorded_at_conclusion_win_over_the_run_sheets_plan_answer(
    database: Database,
) -> None:
    w, conference = _conference(database)
    entries = [
        _entry("runsheet.answered", 50, prompt_kind="phase", answer="no_plan"),
        _entry("decisions_recorded", 95, plan=True, category="neglect", review="2027-03-15"),
    ]
    data = minutes_input(conference, entries, w.conferences.timeline(conference))
    assert data.decisions.plan is True
    assert data.decisions.review is not None and data.decisions.review.isoformat() == "2027-03-15"


async def test_parents_who_did_not_attend_get_an_update_call_prompt(database: Database) -> None:
    w, conference = _conference(database, "northmoor")
    await w.aftercare.conference_concluded(conference.id, decisions={"plan": True})
    await w.run_jobs()
    prompts = [e for e in w.repo.timeline(conference.id) if e.kind == "prompt_due"]
    calls = {e.detail.get("call") for e in prompts}
    assert "update" in calls


async def test_feedback_call_is_prompted_for_each_parent_where_the_run_sheet_has_one(
    database: Database,
) -> None:
    w, conference = _conference(database, "lancashire")
    await w.aftercare.conference_concluded(conference.id, decisions={"plan": True})
    await w.run_jobs()
    feedback = [
        e
        for e in w.repo.timeline(conference.id)
        if e.kind == "prompt_due" and e.detail.get("call") == "feedback"
    ]
    assert len(feedback) == 1


async def test_no_review_is_requested_when_the_conference_decides_no_plan(
    database: Database,
) -> None:
    w, conference = _conference(database, "eastmoor")
    await w.aftercare.conference_concluded(conference.id, decisions={"plan": False})
    await w.run_jobs()
    kinds = [e.kind for e in w.repo.timeline(conference.id)]
    assert "review_not_needed" in kinds and "review_requested" not in kinds


async def test_only_the_conferences_own_chair_or_an_admin_may_approve_the_minutes(
    database: Database,
) -> None:
    w, conference = _conference(database)
    await w.aftercare.conference_concluded(conference.id)
    with pytest.raises(ActionRefused):
        await w.aftercare.approve_minutes(
            conference.id, user="another.chair@example.org", role="chair"
        )
    result = await w.aftercare.approve_minutes(
        conference.id, user=conference.chair or "", role="chair"
    )
    # Leeds peer-checks outgoing packs (seed 002), so approved minutes wait for a second admin.
    assert result["state"] == "held for a second admin"


async def test_minutes_are_not_approved_before_they_are_drafted(database: Database) -> None:
    w, conference = _conference(database)
    with pytest.raises(ActionRefused):
        await w.aftercare.approve_minutes(conference.id, user="admin", role="admin")


def test_follow_up_emails_are_plain_and_carry_no_meeting_link(database: Database) -> None:
    _, conference = _conference(database)
    decisions = Decisions(plan=True)
    for subject, body in (
        decision_email(conference, decisions),
        plan_email(conference, decisions, outline=True),
        plan_email(conference, decisions, outline=False),
    ):
        assert conference.reference in subject
        assert "http" not in body
        assert "child protection plan" in body


@pytest.mark.parametrize(
    "bad",
    [
        {"plan": "yes"},
        {"category": "unhappiness"},
        {"plan_type": "permanent"},
        {"review": "15/03/2027"},
        {"venue": "Town Hall"},
    ],
)
def test_decisions_that_would_break_the_minutes_are_refused_before_they_are_recorded(
    bad: dict[str, object],
) -> None:
    with pytest.raises(ValueError):
        checked_decisions(bad)


async def test_a_malformed_decision_is_bad_input_and_leaves_nothing_on_the_timeline(
    database: Database,
) -> None:
    w, conference = _conference(database)
    with pytest.raises(InvalidInput, match="category"):
        await w.aftercare.conference_concluded(conference.id, decisions={"category": "x"})
    assert "decisions_recorded" not in [e.kind for e in w.repo.timeline(conference.id)]


async def test_changed_decisions_replace_the_draft_but_not_approved_minutes(
    database: Database,
) -> None:
    w, conference = _conference(database)
    await w.aftercare.conference_concluded(conference.id, decisions={"plan": True})
    await w.aftercare.conference_concluded(conference.id, decisions={"plan": False})
    uploads = [e for e in w.repo.timeline(conference.id) if e.kind == "minutes_uploaded"]
    assert len(uploads) == 2 and len(w.graph.files) == 1  # the same file, replaced
    approvals = [m for m in w.graph.mails if m.subject.startswith("Draft minutes")]
    assert len(approvals) == 1
    await w.aftercare.approve_minutes(conference.id, user="admin", role="admin")
    with pytest.raises(ActionRefused):
        await w.aftercare.conference_concluded(conference.id, decisions={"plan": True})
