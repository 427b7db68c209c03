"""After the conference, per seed playbook, on the sandbox: minutes, approval, follow-ups, review.

Each test runs from the request email to the review request, with the meeting driven by the
run sheet and every job run by the deadline runner instead of waiting for real time.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.conference import Conference, ConferenceState, ConferenceType, Role
from bot.core.playbook.model import Channel, FollowUpKind
from bot.core.playbook.terms import AttendanceEvidence, AttendanceOutcome
from bot.core.timeline.model import StepKind
from bot.runtime.aftercare.service import Aftercare
from bot.runtime.context import rule_role
from playbooks import load_all_bundled
from tests.integration.aftercare_harness import (
    AftercareRunning,
    by_endpoint,
    drive_meeting,
    running_aftercare,
)
from tests.integration.aftercare_harness import book_icpc as _booked
from tests.integration.aftercare_harness import conclude as _conclude
from tests.integration.aftercare_harness import docx_text as _docx_text
from tests.integration.runtime_harness import (
    CHAIR,
    settings_for,
    working_days_ahead,
)

# The flow books an ICPC from a request: a LAC-only playbook (northmoor-lac) takes none.
PLAYBOOKS = sorted(n for n, p in load_all_bundled().items() if ConferenceType.ICPC in p.conferences)
MINUTE_TAKER = "sam.quill@example.org"
JOINING = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.PARENT, Role.SCHOOL}
SUBJECTS = {
    FollowUpKind.DECISION_EMAIL: "Decision of conference",
    FollowUpKind.OUTLINE_PLAN: "The outline child protection plan",
    FollowUpKind.PLAN: "The child protection plan",
}


@pytest.fixture(params=PLAYBOOKS)
async def bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AftercareRunning]:
    settings = settings_for(tmp_path)
    conference = settings.conference.model_copy(update={"playbook": request.param})
    async with running_aftercare(settings.model_copy(update={"conference": conference})) as app:
        yield app


def _person(conference: Conference, role: Role) -> Any:
    return next(p for p in conference.participants if p.role is role)


async def _hold_meeting(bot: AftercareRunning, conference: Conference) -> None:
    repo = bot.services.repository
    # Seed 002: the police replied to the pack email; the GP practice only sent a report.
    police, gp = _person(conference, Role.POLICE), _person(conference, Role.GP)
    repo.append_timeline(conference.id, actor=f"participant:{police.id}", kind="reply")
    repo.append_timeline(conference.id, actor=f"participant:{gp.id}", kind="report_received")
    await drive_meeting(bot.services, conference, joining=JOINING)


async def test_every_text_the_chair_typed_reaches_the_minutes_with_the_chair_by_name(
    bot: AftercareRunning,
) -> None:
    await bot.clear_requests()
    conference = await _booked(bot)
    typed: dict[str, str] = {}
    await drive_meeting(bot.services, conference, joining=JOINING, typed=typed)
    assert typed, "the run sheet asked the chair for nothing to type"
    url = await _conclude(bot, conference, None)
    texts, _document = await _docx_text(bot, url)
    whole = "\n".join(texts)
    for prompt_id, text in typed.items():
        assert text in whole, f"what the chair typed at {prompt_id} is not in the minutes"
    chair = texts[texts.index("Chair") + 1]  # the header table's row: "Chair" | their name
    assert chair and "@" not in chair
    assert "Sam Quill" in texts  # the minute taker, by name, in the attendance
    minutes = _aftercare(bot).minutes(bot.services.repository.get_conference(conference.id))
    assert "Not recorded" not in "\n".join(
        t for s in minutes.sections if s.id == "agencies" for t in _section_texts(s)
    )


def _section_texts(section: Any) -> list[str]:
    out: list[str] = []
    for block in section.blocks:
        if hasattr(block, "rows"):
            out += [c for row in block.rows for c in row]
        else:
            out.append(block.text)
    return out


def _aftercare(bot: AftercareRunning) -> Aftercare:
    return bot.aftercare


async def test_conference_ends_with_minutes_follow_ups_and_the_next_review_requested(
    bot: AftercareRunning,
) -> None:
    await bot.clear_requests()
    conference = await _booked(bot)
    await _hold_meeting(bot, conference)
    review = (working_days_ahead(6) + timedelta(days=90)).date().isoformat()
    url = await _conclude(bot, conference, review)
    repo = bot.services.repository
    conference = repo.get_conference(conference.id)
    playbook = bot.services.playbooks.for_conference(conference)
    assert conference.state is ConferenceState.CONCLUDED
    rules = playbook.rules(conference.conference_type)

    # The minutes file is in the minutes library's per-conference folder, with the statement.
    drives = (await bot.state())["drives"]
    paths = [f"{i['parentReference']['path']}/{i['name']}" for i in drives["drive-cp.requests"]]
    assert paths == [
        f"/drive/root:/Conference minutes/{conference.reference}/"
        f"{conference.reference} minutes.docx"
    ]
    texts, document = await _docx_text(bot, url)
    minutes = _aftercare(bot).minutes(conference)
    assert any("COVID-19" in t for t in texts)
    assert minutes.statement in texts
    assert any(p.style.name.startswith("Heading") for p in document.paragraphs)

    # Attendance follows this playbook's rules.
    expected = {
        "Northshire Police": rules.attendance_outcome([AttendanceEvidence.REPLIED_TO_PACK_EMAIL]),
        "Oakway Surgery": rules.attendance_outcome([AttendanceEvidence.REPORT_ONLY]),
        "Larkfield Primary": AttendanceOutcome.ATTENDED,
    }
    lines = {line.participant: line for line in minutes.attendance}
    for person in conference.participants:
        if person.organisation in expected:
            assert lines[f"participant-{person.id}"].outcome is expected[person.organisation]
        if person.role is Role.PARENT:
            assert lines[f"participant-{person.id}"].outcome is AttendanceOutcome.ATTENDED
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Name")
    police_row = next(r for r in table.rows if r.cells[2].text == "Northshire Police")
    police_word = "Attended" if expected["Northshire Police"] is AttendanceOutcome.ATTENDED else ""
    assert police_row.cells[3].text == (police_word or "Did not attend")

    # The chair and the minute taker are asked to approve, and nobody else hears yet.
    assert await bot.received(CHAIR, "Draft minutes to approve") == 1
    assert await bot.received(MINUTE_TAKER, "Draft minutes to approve") == 1

    # Each follow-up, run by the deadline runner, reaches exactly its audience in time.
    assert await bot.run_jobs(conference.id) >= 1
    plan = _aftercare(bot).plan(conference)
    sent_at = {e.step_id: e.at for e in repo.timeline(conference.id) if e.kind == "followup_sent"}
    for follow in rules.follow_ups:
        if follow.kind not in SUBJECTS or follow.channel is not Channel.EMAIL:
            continue
        step = next(s for s in plan.steps if s.id.endswith(f".follow_ups.{follow.id}"))
        for person in conference.participants:
            wanted = person.role in follow.to or rule_role(person.role) in follow.to
            got = await bot.received(person.email or "", SUBJECTS[follow.kind])
            assert got == (1 if wanted and person.email else 0), (follow.id, person.role)
            if wanted and person.email:
                assert sent_at[f"{step.id}:{person.id}"] <= step.due

    # Parents who took part get no update call; the feedback call is a prompt for the chair.
    kinds = [e.kind for e in repo.timeline(conference.id)]
    assert "failed" not in kinds and "blocked" not in kinds

    # The next review is requested, with the same people, on both timelines.
    [review_conf] = [
        c
        for c in repo.list_conferences()
        if c.facts.get("previous_reference") == conference.reference
    ]
    assert review_conf.conference_type is ConferenceType.RCPC
    assert review_conf.facts["review_due"] == review
    full = repo.get_conference(review_conf.id)
    assert len(full.participants) == len(conference.participants)
    assert [e.kind for e in repo.timeline(review_conf.id)] == ["requested_as_review"]
    assert "review_requested" in kinds

    # Approval sends the minutes to the playbook's list, and only to it.
    status, body = await bot.api("POST", f"/api/conferences/{conference.id}/minutes/approve")
    if playbook.distribution.peer_check:  # seed 002: a second admin checks the list first
        assert status == 200 and body["state"] == "held for a second admin", body
        second = await bot.aftercare.approve_distribution(
            conference.id, user="jody.farrant@example.org", role="admin"
        )
        body = {**body, **second}
    assert status == 200 and body["state"] == "queued", body
    await bot.run_jobs(conference.id)
    minutes_rule = next(f for f in rules.follow_ups if f.kind is FollowUpKind.MINUTES)
    for person in conference.participants:
        wanted = person.role in minutes_rule.to or rule_role(person.role) in minutes_rule.to
        got = await bot.received(person.email or "", "Minutes of conference")
        assert got == (1 if wanted and person.email else 0), person.role
    assert await bot.received(CHAIR, "Minutes of conference") == (
        1 if Role.CHAIR in minutes_rule.to else 0
    )

    # Nothing happens twice: conclude again, run every job again.
    before = await bot.state()
    await _conclude(bot, conference, review)
    await bot.run_jobs(conference.id)
    after = await bot.state()
    assert after["outbox"] == before["outbox"] and after["mail"] == before["mail"]
    assert (
        len([c for c in repo.list_conferences() if c.conference_type is ConferenceType.RCPC]) == 1
    )

    # The lifecycle's Graph requests, request email to minutes sent (run with -s to see).
    counts = by_endpoint(await bot.graph_requests())
    print(json.dumps({playbook.council: {"total": sum(counts.values()), **counts}}))


async def test_review_defaults_to_the_playbooks_timescale_when_no_date_was_agreed(
    bot: AftercareRunning,
) -> None:
    conference = await _booked(bot)
    await _hold_meeting(bot, conference)
    await _conclude(bot, conference, None)
    await bot.run_jobs(conference.id)
    repo = bot.services.repository
    [review] = [c for c in repo.list_conferences() if c.conference_type is ConferenceType.RCPC]
    assert review.facts["review_date_basis"] == "default"
    plan = _aftercare(bot).plan(conference)
    step = next(s for s in plan.steps if s.kind is StepKind.FOLLOW_UP and "review" in s.template)
    assert review.facts["review_due"] <= step.due.date().isoformat()


async def test_peer_check_holds_minutes_until_a_second_admin_approves_the_list(
    bot: AftercareRunning, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Aftercare, "peer_check", lambda self, conference: True)
    conference = await _booked(bot)
    await _hold_meeting(bot, conference)
    await _conclude(bot, conference, None)
    status, body = await bot.api("POST", f"/api/conferences/{conference.id}/minutes/approve")
    assert status == 200 and body["state"] == "held for a second admin", body
    status, body = await bot.api("POST", f"/api/conferences/{conference.id}/distribution/approve")
    assert status == 409, body  # the same admin cannot check their own list
    status, listed = await bot.api("GET", f"/api/conferences/{conference.id}/distribution")
    assert status == 200 and listed["state"] == "held for a second admin", listed
    assert not any(r["sent"] for r in listed["recipients"])
    await bot.run_jobs(conference.id)
    outbox = await bot.outside_mail()
    assert not [m for m in outbox if "Minutes of conference" in m["subject"]]
    result = await bot.aftercare.approve_distribution(
        conference.id, user="jody.farrant@example.org", role="admin"
    )
    assert result["state"] == "queued"
    await bot.run_jobs(conference.id)
    kinds = [e.kind for e in bot.services.repository.timeline(conference.id)]
    assert "distribution_held" in kinds and "minutes_queued" in kinds
    status, listed = await bot.api("GET", f"/api/conferences/{conference.id}/distribution")
    assert listed["state"] == "queued" and all(r["sent"] for r in listed["recipients"])


async def test_minutes_are_approved_by_their_own_chair_or_an_admin_and_nobody_else(
    bot: AftercareRunning,
) -> None:
    conference = await _booked(bot)
    await _hold_meeting(bot, conference)
    path = f"/api/conferences/{conference.id}/minutes/approve"
    assert (await bot.post_as(CHAIR, "chair", path))[0] == 409  # nothing drafted yet
    await _conclude(bot, conference, None)
    assert (await bot.post_as("someone@example.org", "manager", path))[0] == 403
    assert (await bot.post_as("tamsin.brightwell@example.org", "chair", path))[0] == 409
    status, body = await bot.post_as(CHAIR, "chair", path)
    held = bot.services.playbooks.for_conference(conference).distribution.peer_check  # seed 002
    assert status == 200 and body["state"] == ("held for a second admin" if held else "queued")
    conclude = f"/api/conferences/{conference.id}/conclude"
    assert (await bot.post_as(CHAIR, "chair", conclude))[0] == 403  # admins conclude
