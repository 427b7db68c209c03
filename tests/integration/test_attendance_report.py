"""Attendance from evidence: Graph's attendance report for the chair's Teams meeting.

A Teams conference is booked from a request email, held through the run sheet and
concluded; the sandbox then ends the meeting with a report, as Graph does for the
organiser, and the deadline runner reads it. The minutes are drafted again with each
person's time in the meeting and the evidence it rests on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.conference import Conference, ConferenceType, MeetingFormat, Role
from bot.core.minutes.text import clock
from bot.runtime.aftercare.attendance import (
    ATTENDANCE_STEP,
    MEETING_ATTENDED,
    REPORT_MISSING,
    REPORT_READ,
    TRIES,
)
from playbooks import load_all_bundled
from tests.integration.aftercare_harness import (
    AftercareRunning,
    book_icpc,
    conclude,
    docx_text,
    drive_meeting,
    running_aftercare,
)
from tests.integration.runtime_harness import CHAIR, settings_for

# A playbook whose ICPC can be held in Teams: only those have an attendance report.
TEAMS_PLAYBOOK = next(
    name
    for name, playbook in sorted(load_all_bundled().items())
    if ConferenceType.ICPC in playbook.conferences
    and MeetingFormat.TEAMS in playbook.rules(ConferenceType.ICPC).formats.offered
)
REPORT_LINE = "In the Teams meeting from {} to {} (Teams attendance report)"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[AftercareRunning]:
    settings = settings_for(tmp_path)
    conference = settings.conference.model_copy(update={"playbook": TEAMS_PLAYBOOK})
    async with running_aftercare(settings.model_copy(update={"conference": conference})) as app:
        yield app


def _person(conference: Conference, role: Role) -> Any:
    return next(p for p in conference.participants if p.role is role)


async def _held(bot: AftercareRunning) -> tuple[Conference, str]:
    conference = await book_icpc(bot)
    assert conference.meeting_format is MeetingFormat.TEAMS and conference.join_url
    # Only the social worker's side is marked in by the chair; the school comes in unmarked.
    await drive_meeting(bot.services, conference, joining={Role.SOCIAL_WORKER})
    url = await conclude(bot, conference, None)
    return bot.services.repository.get_conference(conference.id), url


async def _end_meeting(bot: AftercareRunning, conference: Conference, **body: Any) -> None:
    payload = {"organiser": CHAIR, "joinWebUrl": conference.join_url, **body}
    async with bot.http.post(f"{bot.sandbox}/_sandbox/attendance", json=payload) as response:
        assert response.status == 201, await response.text()


def _iso(moment: Any) -> str:
    return str(moment.isoformat())


def _kinds(bot: AftercareRunning, conference: Conference) -> list[str]:
    return [e.kind for e in bot.services.repository.timeline(conference.id)]


def _waiting(bot: AftercareRunning, conference: Conference) -> list[Any]:
    """The attempts to read the report still to run (the tests' runner leaves run ones listed)."""
    assert bot.services.scheduler is not None
    repo = bot.services.repository
    return [
        j
        for j in bot.services.scheduler.pending(conference.id)
        if j.action == ATTENDANCE_STEP and not repo.has_step(conference.id, j.id, "done")
    ]


def _latest_minutes(bot: AftercareRunning, conference: Conference) -> str:
    uploads = [
        e for e in bot.services.repository.timeline(conference.id) if e.kind == "minutes_uploaded"
    ]
    return str(uploads[-1].detail["url"])


async def test_the_redrafted_minutes_say_who_was_in_the_teams_meeting_and_on_what_evidence(
    bot: AftercareRunning,
) -> None:
    conference, first_url = await _held(bot)
    assert conference.start_at is not None
    school, parent = _person(conference, Role.SCHOOL), _person(conference, Role.PARENT)
    first, _ = await docx_text(bot, first_url)
    assert "(Teams attendance report)" not in "\n".join(first)
    start = conference.start_at
    joined, left = start + timedelta(minutes=3), start + timedelta(minutes=50)
    back, gone = start + timedelta(minutes=55), start + timedelta(minutes=70)
    await _end_meeting(
        bot,
        conference,
        start=_iso(start),
        end=_iso(start + timedelta(minutes=75)),
        attendees=[
            {"email": CHAIR, "name": "The chair", "joined": _iso(start), "left": _iso(gone)},
            # The school's address as the invite had it, in another case.
            {
                "email": school.email.upper(),
                "name": school.name,
                "joined": _iso(joined),
                "left": _iso(left),
            },
            # The parent, let in from the lobby with no address: matched by the name given;
            # they dropped out and came back.
            {
                "name": f"{parent.name} (Guest)",
                "intervals": [
                    {"joined": _iso(joined), "left": _iso(left)},
                    {"joined": _iso(back), "left": _iso(gone)},
                ],
            },
            {"name": "Pat Visitor (Guest)", "joined": _iso(joined), "left": _iso(left)},
        ],
    )
    assert await bot.run_jobs(conference.id) >= 1
    texts, _ = await docx_text(bot, _latest_minutes(bot, conference))
    whole = "\n".join(texts)
    assert _latest_minutes(bot, conference) == first_url  # the draft replaced, same file
    assert REPORT_LINE.format(clock(joined), clock(left)) in whole  # the school
    assert REPORT_LINE.format(clock(joined), clock(gone)) in whole  # the parent
    row = texts.index(school.name)
    assert "Attended" in texts[row : row + 5]
    read = next(e for e in bot.services.repository.timeline(conference.id) if e.kind == REPORT_READ)
    assert read.detail["unmatched"] == ["Pat Visitor (Guest)"]  # for MTS to look at
    attended = [
        e for e in bot.services.repository.timeline(conference.id) if e.kind == MEETING_ATTENDED
    ]
    assert {e.detail["party"] for e in attended} == {f"school-{school.id}", f"parent-{parent.id}"}


async def test_no_report_yet_asks_again_later_and_says_so_when_none_comes(
    bot: AftercareRunning,
) -> None:
    conference, _url = await _held(bot)
    services = bot.services
    for attempt in range(1, TRIES + 1):
        [job] = _waiting(bot, conference)
        assert job.step_id == f"{ATTENDANCE_STEP}.{attempt}"
        await bot.run_jobs(conference.id)
        assert REPORT_READ not in _kinds(bot, conference)
    assert not _waiting(bot, conference)
    missing = [e for e in services.repository.timeline(conference.id) if e.kind == REPORT_MISSING]
    assert len(missing) == 1 and missing[0].detail["tries"] == TRIES


async def test_graph_refusing_the_report_is_a_failed_job_on_the_timeline_not_lost(
    bot: AftercareRunning,
) -> None:
    conference, _url = await _held(bot)
    rule = {"path": "attendanceReports", "statuses": [403], "rate": 1.0}
    async with bot.http.post(f"{bot.sandbox}/_sandbox/faults", json=rule) as response:
        assert response.status == 200
    await bot.run_jobs(conference.id)
    failed = [
        e
        for e in bot.services.repository.timeline(conference.id)
        if e.kind == "failed" and ATTENDANCE_STEP in (e.step_id or "")
    ]
    assert len(failed) == 1
    assert failed[0].detail["reason"] == "Graph answered 403"
