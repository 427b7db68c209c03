"""The decision per child through the API, and the refusal to conclude before the meeting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.conference import Conference, MeetingFormat, Role
from tests.integration.aftercare_harness import AftercareRunning, drive_meeting, running_aftercare
from tests.integration.runtime_harness import CHAIR, request_body, settings_for, working_days_ahead


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[AftercareRunning]:
    settings = settings_for(tmp_path)
    conference = settings.conference.model_copy(update={"playbook": "lancashire"})
    async with running_aftercare(settings.model_copy(update={"conference": conference})) as app:
        yield app


async def _booked(bot: AftercareRunning) -> Conference:
    await bot.mail(request_body())
    assert bot.services.sweep is not None
    assert await bot.services.sweep.sweep() == 1
    [listed] = bot.services.repository.list_conferences()
    path = f"/api/conferences/{listed.id}"
    status, body = await bot.api("POST", f"{path}/allocate", {"chair": CHAIR})
    assert status == 200, body
    start = working_days_ahead(6).isoformat()
    status, body = await bot.api("POST", f"{path}/format", {"format": "teams", "start": start})
    assert status == 200, body
    return bot.services.repository.get_conference(listed.id)


async def test_a_conference_is_not_concluded_before_its_meeting_starts(
    bot: AftercareRunning,
) -> None:
    conference = await _booked(bot)
    status, body = await bot.api("POST", f"/api/conferences/{conference.id}/conclude", {})
    assert status == 409
    assert "The meeting has not started yet: it starts at 10:00" in str(body)


async def test_decisions_sent_per_child_reach_the_minutes(bot: AftercareRunning) -> None:
    conference = await _booked(bot)
    assert conference.meeting_format is MeetingFormat.TEAMS
    await drive_meeting(bot.services, conference, joining={Role.SOCIAL_WORKER, Role.PARENT})
    [child] = conference.children
    decision = {"plan": True, "category": "sexual_abuse", "notes": "Safety plan at school."}
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{conference.id}/conclude",
        {"decisions": {"children": {str(child.id): decision}}},
    )
    assert status == 200, body
    minutes = bot.aftercare.minutes(bot.services.repository.get_conference(conference.id))
    texts = minutes.texts()
    assert "Sexual abuse" in texts
    assert "Safety plan at school." in texts
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{conference.id}/conclude",
        {"decisions": {"children": {str(child.id): {"plan": True}}}},
    )
    assert status == 400 and "category" in str(body), body
