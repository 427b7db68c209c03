"""The durable run-sheet service on a virtual clock over a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.conference import ConferenceState
from bot.core.runsheet.model import Answer, PromptKind
from bot.runtime.runsheets import RUNSHEET_ACTION, state_key
from bot.web.console_events import ConsoleHub
from tests.integration.console_world import (
    OTHER_NUMBER,
    PARENT_PHONE,
    START,
    FakeChannel,
    VirtualClock,
    World,
    build_world,
    open_database,
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    database = open_database(tmp_path / "runsheets.sqlite3")
    yield build_world(database, VirtualClock())
    database.dispose()


async def _started(world: World) -> int:
    conference_id = world.add_conference()
    await world.at(START)
    return conference_id


async def _consent_everyone(world: World, conference_id: int) -> None:
    for prompt in await world.runsheets.open_prompts(conference_id):
        if prompt.kind is PromptKind.CONSENT:
            await world.runsheets.answer(conference_id, prompt.id, Answer.CONSENTED, world.clock())


async def _callback(world: World, conference_id: int) -> str:
    prompts = await world.runsheets.open_prompts(conference_id)
    [callback] = [p for p in prompts if p.kind is PromptKind.CALLBACK]
    return callback.id


async def test_the_run_sheet_starts_at_the_planned_start_and_the_conference_is_in_meeting(
    world: World,
) -> None:
    conference_id = await _started(world)
    prompts = await world.runsheets.open_prompts(conference_id)
    assert {p.kind for p in prompts} >= {PromptKind.CONSENT}
    assert world.repository.get_conference(conference_id).state is ConferenceState.IN_MEETING
    assert "runsheet.meeting_started" in world.kinds(conference_id)
    assert world.repository.get_state(state_key(conference_id))


async def test_a_meeting_start_event_before_the_planned_start_is_not_started_twice(
    world: World,
) -> None:
    conference_id = world.add_conference()
    await world.runsheets.meeting_started(conference_id, START - timedelta(minutes=2))
    await world.at(START)
    assert world.kinds(conference_id).count("runsheet.meeting_started") == 1


async def test_a_restart_loses_nothing_because_the_journal_rebuilds_the_run_sheet(
    world: World,
) -> None:
    conference_id = await _started(world)
    first = (await world.runsheets.open_prompts(conference_id))[0]
    await world.runsheets.answer(conference_id, first.id, Answer.CONSENTED, world.clock())
    before = await world.runsheets.sheet(conference_id)
    restarted = world.restart()
    after = await restarted.runsheets.sheet(conference_id)
    assert after is not before
    assert [p.id for p in after.open_prompts()] == [p.id for p in before.open_prompts()]
    assert after.ledger.as_dict() == before.ledger.as_dict()
    assert after.pending_jobs() == before.pending_jobs()


async def test_the_callback_prompt_fires_once_even_across_a_restart(world: World) -> None:
    conference_id = await _started(world)
    await _consent_everyone(world, conference_id)
    [job] = [j for j in world.scheduler.pending(conference_id) if j.action == RUNSHEET_ACTION]
    assert job.step_id == "confidential_end" and job.run_at == START + timedelta(minutes=3)
    restarted = world.restart()
    await restarted.at(START + timedelta(minutes=3))
    # The job is handed over a second time (two replicas, or a crash before it was dropped).
    await restarted.runner.run(job)
    await world.restart().runner.run(job)
    # Even past the runner's once-only check, the run sheet itself fires a job once.
    conference = world.repository.get_conference(conference_id)
    await world.restart().runsheets.run_job(conference, job)
    prompted = [
        e.step_id
        for e in restarted.repository.timeline(conference_id)
        if e.kind == "runsheet.prompted" and (e.step_id or "").startswith("callback.")
    ]
    assert prompted == [f"callback.{world.parent_id(conference_id)}.1"]
    callback = (await restarted.runsheets.sheet(conference_id)).prompt(prompted[0])
    assert callback.phone == PARENT_PHONE


async def test_ending_the_confidential_section_early_brings_the_callback_at_once(
    world: World,
) -> None:
    conference_id = await _started(world)
    await _consent_everyone(world, conference_id)
    world.clock.now = START + timedelta(minutes=1)
    await world.runsheets.next(conference_id, world.clock())
    callback = await _callback(world, conference_id)
    prompt = (await world.runsheets.sheet(conference_id)).prompt(callback)
    assert prompt.due == START + timedelta(minutes=1)


async def test_no_answer_retry_schedules_exactly_one_new_prompt(world: World) -> None:
    channel = FakeChannel()
    world.runsheets.add_channel(channel)
    conference_id = await _started(world)
    await _consent_everyone(world, conference_id)
    await world.at(START + timedelta(minutes=3))
    first = await _callback(world, conference_id)
    await world.runsheets.answer(conference_id, first, Answer.NO_ANSWER, world.clock())
    retries = [j for j in world.scheduler.pending(conference_id) if j.action == RUNSHEET_ACTION]
    assert [j.step_id for j in retries] == [f"callback.{world.parent_id(conference_id)}.2"]
    sent_before = len(channel.sent)
    await world.at(START + timedelta(minutes=8))
    await world.at(START + timedelta(minutes=20))
    assert channel.sent[sent_before:] == [retries[0].step_id]


async def test_use_the_other_number_prompts_the_parents_second_number(world: World) -> None:
    conference_id = await _started(world)
    await _consent_everyone(world, conference_id)
    await world.at(START + timedelta(minutes=3))
    first = await _callback(world, conference_id)
    await world.runsheets.answer(conference_id, first, Answer.OTHER_NUMBER, world.clock())
    second = await _callback(world, conference_id)
    assert (await world.runsheets.sheet(conference_id)).prompt(second).phone == OTHER_NUMBER


async def test_teams_and_the_console_stay_consistent_whichever_answers(world: World) -> None:
    teams, hub = FakeChannel(), ConsoleHub()
    world.runsheets.add_channel(teams)
    world.runsheets.add_channel(hub)
    conference_id = world.add_conference()
    with hub.subscribe(conference_id) as queue:
        await world.at(START)
        opened = await world.runsheets.open_prompts(conference_id)
        assert teams.open_ids(conference_id) == {p.id for p in opened}
        pushed = [queue.get_nowait() for _ in range(queue.qsize())]
        assert {m.prompt_id for m in pushed if m and m.kind == "prompt"} == {p.id for p in opened}
        # Answered in the console (or in Teams: both go through the same inbox).
        await world.runsheets.answer(conference_id, opened[0].id, Answer.CONSENTED, world.clock())
        message = queue.get_nowait()
        assert message is not None and (message.kind, message.prompt_id) == (
            "answered",
            opened[0].id,
        )
    assert teams.shown[(conference_id, opened[0].id)].answered is Answer.CONSENTED
    still_open = {p.id for p in await world.runsheets.open_prompts(conference_id)}
    assert teams.open_ids(conference_id) == still_open


async def test_a_broken_channel_does_not_stop_the_others(world: World) -> None:
    class Broken(FakeChannel):
        async def send_prompt(self, conference_id: int, chair: str, prompt: object) -> None:
            raise RuntimeError("the chat service is down")

    good = FakeChannel()
    world.runsheets.add_channel(Broken())
    world.runsheets.add_channel(good)
    conference_id = await _started(world)
    assert good.open_ids(conference_id)


async def test_every_answer_is_on_the_timeline_and_the_end_concludes_the_conference(
    world: World,
) -> None:
    conference_id = await _started(world)
    await _consent_everyone(world, conference_id)
    answered = [e for e in world.repository.timeline(conference_id) if e.kind.endswith("answered")]
    assert answered and all(e.actor == "chair" for e in answered)
    await world.runsheets.meeting_ended(conference_id, START + timedelta(minutes=60))
    assert world.repository.get_conference(conference_id).state is ConferenceState.CONCLUDED


async def test_an_answer_the_prompt_does_not_offer_is_refused_and_not_journalled(
    world: World,
) -> None:
    from bot.core.runsheet.model import RunSheetError

    conference_id = await _started(world)
    consent = (await world.runsheets.open_prompts(conference_id))[0]
    stored = world.repository.get_state(state_key(conference_id))
    with pytest.raises(RunSheetError):
        await world.runsheets.answer(conference_id, consent.id, Answer.DECLINED, world.clock())
    assert world.repository.get_state(state_key(conference_id)) == stored


async def test_a_wake_up_lost_from_the_job_store_is_held_again_on_resume(world: World) -> None:
    from bot.runtime.scheduler import VirtualScheduler

    conference_id = await _started(world)
    # A crash as APScheduler handed the job over: the job store no longer has it.
    restarted = build_world(world.database, world.clock, VirtualScheduler())
    assert restarted.scheduler.pending(conference_id) == []
    assert await restarted.runsheets.resume() == 1
    await restarted.at(START + timedelta(minutes=3))
    assert await _callback(restarted, conference_id)


async def test_a_wake_up_lost_in_a_leader_handover_is_held_again_by_the_next_leader(
    world: World,
) -> None:
    from bot.runtime.scheduler import VirtualScheduler

    conference_id = await _started(world)
    # The old leader had taken the wake-up from the job store when it died; the new
    # leader's reconciling, not a restart, has to put it back.
    survivor = build_world(world.database, world.clock, VirtualScheduler())
    assert survivor.scheduler.pending(conference_id) == []
    await survivor.runner.reconcile(timedelta(hours=1))
    assert [j.action for j in survivor.scheduler.pending(conference_id)].count(RUNSHEET_ACTION) == 1
    await survivor.at(START + timedelta(minutes=3))
    assert await _callback(survivor, conference_id)
