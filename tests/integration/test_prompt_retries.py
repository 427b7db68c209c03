"""A prompt a channel could not deliver is on the timeline and the status page, and a durable
job delivers it again; the failed action clears once it gets through.

The real run-sheet service over SQLite and the virtual scheduler; the channel stands in for
Teams and fails as told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.core.runsheet.model import Prompt
from bot.runtime.prompt_channel import ChairUnreachable, PromptChannelError
from bot.runtime.prompt_delivery import PROMPT_RETRY_ACTION, RETRY_WAITS
from bot.store.queries import StatusQueries
from tests.integration.console_world import START, VirtualClock, World, build_world, open_database


@dataclass
class FlakyTeams:
    """A channel that fails the next ``failures`` sends, then shows each prompt."""

    failures: int = 0
    unreachable: bool = False
    shown: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)

    async def send_prompt(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        if self.unreachable:
            raise ChairUnreachable(conference_id, prompt.id)
        if self.failures:
            self.failures -= 1
            raise PromptChannelError(conference_id, prompt.id, "Teams answered 503", unclear=True)
        self.shown.append(prompt.id)

    async def mark_answered(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        self.answered.append(prompt.id)


def world_with(tmp_path: Path, teams: FlakyTeams) -> World:
    world = build_world(open_database(tmp_path / "confbot.sqlite3"), VirtualClock())
    world.runsheets.add_channel(teams)
    return world


def lines(world: World, conference_id: int, kind: str) -> list[dict[str, object]]:
    return [dict(e.detail) for e in world.repository.timeline(conference_id) if e.kind == kind]


async def test_a_prompt_teams_failed_to_show_is_retried_and_its_failed_action_clears(
    tmp_path: Path,
) -> None:
    teams = FlakyTeams(failures=1)
    world = world_with(tmp_path, teams)
    cid = world.add_conference()
    await world.at(START)
    [failed] = lines(world, cid, "prompt_failed")
    reason = str(failed["reason"])
    assert reason.startswith("The consent prompt did not reach the chair in Teams")
    assert reason.endswith("(Teams answered 503); trying again in 10 seconds")
    assert "Testparent" not in reason and "PC Test" not in reason  # no names on the timeline
    # The other prompts went regardless of the first one's failure.
    assert len(teams.shown) >= 1
    [retry] = [j for j in world.scheduler.pending(cid) if j.action == PROMPT_RETRY_ACTION]
    assert retry.run_at == START + RETRY_WAITS[0]
    listed = StatusQueries(world.database).failed_actions()
    assert [(a.kind, a.detail["reason"]) for a in listed] == [("prompt_failed", reason)]

    await world.at(START + RETRY_WAITS[0])
    prompt_id = retry.step_id.rpartition("#")[0]
    assert teams.shown.count(prompt_id) == 1
    [sent] = lines(world, cid, "sent")
    assert sent["words"] == "The consent prompt reached the chair at retry 1"
    assert StatusQueries(world.database).failed_actions() == []


async def test_a_prompt_that_never_gets_through_stays_a_failed_action_after_the_last_retry(
    tmp_path: Path,
) -> None:
    teams = FlakyTeams(failures=1000)
    world = world_with(tmp_path, teams)
    cid = world.add_conference()
    await world.at(START)
    first = {e.step_id for e in world.repository.timeline(cid) if e.kind == "prompt_failed"}
    assert first
    moment = START
    for wait in RETRY_WAITS:
        moment += wait
        await world.at(moment)
    retrying = {
        f"prompt:{j.step_id.rpartition('#')[0]}"
        for j in world.scheduler.pending(cid)
        if j.action == PROMPT_RETRY_ACTION
    }
    assert not first & retrying  # tried five times, then left
    finals = {
        e.step_id: str(e.detail["reason"])
        for e in world.repository.timeline(cid)
        if e.kind == "failed" and e.step_id in first
    }
    assert set(finals) == first
    for reason in finals.values():
        assert f"after {len(RETRY_WAITS) + 1} tries" in reason
        assert reason.endswith("the chair console shows it")
    # Each prompt is one failed action, however many times it was tried.
    listed = StatusQueries(world.database).failed_actions()
    assert len(listed) == len({a.step_id for a in listed})
    assert {a.step_id for a in listed if a.kind == "failed"} == first


async def test_a_chair_teams_cannot_reach_is_not_retried_here(tmp_path: Path) -> None:
    teams = FlakyTeams(unreachable=True)
    world = world_with(tmp_path, teams)
    cid = world.add_conference()
    await world.at(START)
    assert lines(world, cid, "prompt_failed") == []
    assert not [j for j in world.scheduler.pending(cid) if j.action == PROMPT_RETRY_ACTION]


async def test_a_retry_survives_a_restart(tmp_path: Path) -> None:
    teams = FlakyTeams(failures=1)
    world = world_with(tmp_path, teams)
    cid = world.add_conference()
    await world.at(START)
    [retry] = [j for j in world.scheduler.pending(cid) if j.action == PROMPT_RETRY_ACTION]
    again = world.restart()
    again.runsheets.add_channel(teams)
    await again.at(START + RETRY_WAITS[0])
    assert teams.shown.count(retry.step_id.rpartition("#")[0]) == 1
    assert StatusQueries(again.database).failed_actions() == []
