"""A leader that dies while running aftercare loses no follow-up: the next leader runs it, once.

APScheduler takes a date job out of its store as it hands the job to the leader, so a leader
killed mid-job leaves it neither stored nor done. For a concluded conference that was lost
for good: the timeline plans no more jobs for it. Here the jobs are taken out as a dying
leader would leave them, and the next leader's reconciling must run each, and only once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.playbook.model import FollowUpKind
from bot.runtime.aftercare.followups import FEEDBACK, FOLLOW_UP
from bot.runtime.aftercare.service import MINUTES
from bot.runtime.context import rule_role
from tests.integration.aftercare_harness import AftercareRunning, running_aftercare
from tests.integration.runtime_harness import settings_for
from tests.integration.test_aftercare_flow import SUBJECTS, _booked, _conclude, _hold_meeting

GRACE = timedelta(hours=1)
PLAYBOOK = "eastmoor"  # emails its decision and outline plan; no peer check
AFTERCARE = (FOLLOW_UP, FEEDBACK)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[AftercareRunning]:
    settings = settings_for(tmp_path)
    conference = settings.conference.model_copy(update={"playbook": PLAYBOOK})
    async with running_aftercare(settings.model_copy(update={"conference": conference})) as app:
        yield app


def _done(bot: AftercareRunning, conference_id: int) -> Counter[str]:
    timeline = bot.services.repository.timeline(conference_id)
    return Counter(e.step_id or "" for e in timeline if e.kind == "done")


async def test_follow_ups_and_minutes_lost_in_a_handover_are_run_once_by_the_next_leader(
    bot: AftercareRunning,
) -> None:
    services = bot.services
    assert services.scheduler is not None and services.runner is not None
    conference = await _booked(bot)
    await _hold_meeting(bot, conference)
    await _conclude(bot, conference, None)
    follow_ups = [
        job for job in services.scheduler.pending(conference.id) if job.action in AFTERCARE
    ]
    assert follow_ups, "concluding schedules the follow-ups"

    # The leader took them from the store and died before any ran.
    services.scheduler.remove_conference(conference.id)
    await services.runner.reconcile(GRACE)  # the next leader
    await services.runner.reconcile(GRACE)  # and the one after it: nothing runs twice
    done = _done(bot, conference.id)
    assert {job.id: done[job.id] for job in follow_ups} == {job.id: 1 for job in follow_ups}

    rules = services.playbooks.for_conference(conference).rules(conference.conference_type)
    emailed = [f for f in rules.follow_ups if f.kind in SUBJECTS]
    assert emailed, "the playbook emails some follow-ups"
    for follow in emailed:
        for person in conference.participants:
            wanted = person.role in follow.to or rule_role(person.role) in follow.to
            got = await bot.received(person.email or "", SUBJECTS[follow.kind])
            assert got == (1 if wanted and person.email else 0), (follow.id, person.role)

    # The approved minutes are queued as a job; that one is lost the same way.
    status, body = await bot.api("POST", f"/api/conferences/{conference.id}/minutes/approve")
    assert status == 200 and body["state"] == "queued", body
    [minutes] = [j for j in services.scheduler.pending(conference.id) if j.action == MINUTES]
    services.scheduler.remove_conference(conference.id)
    await services.runner.reconcile(GRACE)
    await services.runner.reconcile(GRACE)
    assert _done(bot, conference.id)[minutes.id] == 1
    rule = next(f for f in rules.follow_ups if f.kind is FollowUpKind.MINUTES)
    for person in conference.participants:
        wanted = person.role in rule.to or rule_role(person.role) in rule.to
        got = await bot.received(person.email or "", "Minutes of conference")
        assert got == (1 if wanted and person.email else 0), person.role
