"""The durable RunSheetInbox: each conference's run sheet, kept in the store and the scheduler.

The run sheet itself is pure (``bot.core.runsheet.sheet``). Here each call on it is made under a
per-conference lock (across replicas on PostgreSQL), and then its consequences are made
durable, in this order:
1. its new events go on the conference timeline (every answer is a timeline entry);
2. its input journal is stored, so a restart rebuilds exactly the same run sheet;
3. its new timed wake-ups become durable scheduler jobs (action ``runsheet``);
4. new prompts go to every prompt channel, and answered ones are shown answered in all.
Timeline before journal: a crash between the two repeats a line rather than losing one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from bot.core.conference import Conference, ConferenceState, Role
from bot.core.runsheet.journal import Entry
from bot.core.runsheet.sheet import (
    START_JOB,
    Answer,
    CommandResult,
    Prompt,
    RunSheet,
    RunSheetError,
    compile_run_sheet,
    restore_run_sheet,
)
from bot.runtime.context import SYSTEM, Runtime
from bot.runtime.jobs import JobDispatcher
from bot.runtime.prompt_channel import PromptChannel
from bot.runtime.prompt_delivery import PROMPT_RETRY_ACTION, PromptDelivery, parse_retry_step
from bot.runtime.runsheet_facts import run_sheet_facts
from bot.runtime.scheduler import Job

logger = logging.getLogger(__name__)

RUNSHEET_ACTION = "runsheet"  # a run sheet's own wake-up; step_id is the run sheet's job id
START_ACTION = "runsheet_start"  # planned at booking: start the run sheet at the planned start
FINISHED = frozenset({ConferenceState.CONCLUDED, ConferenceState.CANCELLED})

T = TypeVar("T")


class Held(Protocol):
    """A lock another replica cannot take until it is released."""

    def release(self) -> None:
        """Let the next replica have it."""


class SharedLocks(Protocol):
    """Conference locks that hold across replicas (``bot.store.locks.ConferenceLocks``)."""

    def acquire(self, conference_id: int) -> Held:
        """Block until this replica holds the conference's lock."""


def _release_when_taken(taking: asyncio.Future[Held]) -> None:
    if not taking.cancelled() and taking.exception() is None:
        taking.result().release()


def state_key(conference_id: int) -> str:
    """Where a conference's run-sheet journal is kept in the store."""
    return f"runsheet:{conference_id}"


class RunSheetService:
    """Run sheets by conference, restored from their journals on demand; a RunSheetInbox."""

    def __init__(
        self,
        runtime: Runtime,
        channels: Sequence[PromptChannel] = (),
        shared: SharedLocks | None = None,
    ) -> None:
        self.rt = runtime
        self.repo = runtime.store
        self.clock = runtime.clock
        self.channels: list[PromptChannel] = list(channels)
        self.delivery = PromptDelivery(runtime)
        self._locks: dict[int, asyncio.Lock] = {}
        # Replicas on one PostgreSQL change a run sheet one at a time; alone, in-process will do.
        self.shared = shared
        # The last run sheet built per conference, with the journal text it matches.
        self._cache: dict[int, tuple[RunSheet, str]] = {}

    def add_channel(self, channel: PromptChannel) -> None:
        """Send prompts through ``channel`` too (Teams, the chair console)."""
        self.channels.append(channel)

    def register(self, runner: JobDispatcher) -> None:
        """Let the deadline runner hand run-sheet jobs to this service."""
        runner.register(RUNSHEET_ACTION, self.run_job)
        runner.register(START_ACTION, self.start_job)
        runner.register(PROMPT_RETRY_ACTION, self.retry_job)
        # A wake-up the last leader was running when it died is in neither the job store
        # nor the journal's past: the new leader puts every live run sheet's back.
        runner.restore_on_lead(self.resume)

    # -- scheduled jobs -------------------------------------------------------------------

    async def run_job(self, conference: Conference, job: Job) -> None:
        """A run sheet's wake-up fell due: the confidential section ends, or a callback retry."""
        now = self.clock()
        await self._apply(conference.id, lambda sheet: sheet.fire(job.step_id, now))

    async def start_job(self, conference: Conference, job: Job) -> None:
        """The planned start: run the sheet now unless a meetingStart event already did."""
        now = self.clock()
        await self._apply(conference.id, lambda sheet: sheet.fire(START_JOB, now))

    async def retry_job(self, conference: Conference, job: Job) -> None:
        """A prompt a channel could not deliver: try it again, as it stands now."""
        prompt_id, attempt = parse_retry_step(job.step_id)
        try:
            prompt = (await self.sheet(conference.id)).prompt(prompt_id)
        except RunSheetError:  # no such prompt any more: nothing to deliver
            return
        new, closed = ([prompt], []) if prompt.is_open else ([], [prompt])
        await self.delivery.deliver(conference, self.channels, new, closed, attempt)

    async def resume(self) -> int:
        """On taking the lead: hold every live run sheet's wake-ups again; returns how many."""
        count = 0
        for listed in self.repo.list_conferences(state=ConferenceState.IN_MEETING, limit=100_000):
            async with self._lock(listed.id):
                conference = self.repo.get_conference(listed.id)  # with its participants
                count += self._schedule(conference.id, self._load(conference), {})
        return count

    # -- RunSheetInbox --------------------------------------------------------------------

    async def answer(
        self,
        conference_id: int,
        prompt_id: str,
        answer: Answer,
        at: datetime,
        note: str | None = None,
        by: str | None = None,
    ) -> Prompt:
        """Record the answer (``by`` the account that gave it); returns the prompt answered."""

        def change(sheet: RunSheet) -> Prompt:
            sheet.answer(prompt_id, answer, at, note, by)
            return sheet.prompt(prompt_id)

        return await self._apply(conference_id, change)

    async def command(self, conference_id: int, text: str, at: datetime) -> CommandResult:
        """A typed chair command: next, status or help."""
        return await self._apply(conference_id, lambda sheet: sheet.command(text, at))

    async def next(self, conference_id: int, at: datetime) -> list[Prompt]:
        """Finish this step, or end the confidential section now (the console's buttons)."""
        return await self._apply(conference_id, lambda sheet: sheet.next(at))

    async def meeting_started(self, conference_id: int, at: datetime) -> None:
        """The Teams meeting has started."""
        await self._apply(conference_id, lambda sheet: sheet.start(at))

    async def meeting_ended(self, conference_id: int, at: datetime) -> None:
        """The Teams meeting has ended."""
        await self._apply(conference_id, lambda sheet: sheet.end(at))

    async def participant_joined(
        self, conference_id: int, party_id: str, at: datetime, role: Role, label: str
    ) -> None:
        """Someone joined the meeting; they are asked about recording."""
        await self._apply(
            conference_id, lambda sheet: sheet.join(party_id, at, role=role, label=label)
        )

    async def open_prompts(self, conference_id: int) -> list[Prompt]:
        """The prompts still waiting for the chair."""
        return (await self.sheet(conference_id)).open_prompts()

    async def sheet(self, conference_id: int) -> RunSheet:
        """The conference's run sheet as stored now; read it, do not change it."""
        async with self._lock(conference_id):
            return self._load(self.repo.get_conference(conference_id))

    # -- the workings ---------------------------------------------------------------------

    def _lock(self, conference_id: int) -> asyncio.Lock:
        lock = self._locks.get(conference_id)
        if lock is None:
            lock = self._locks[conference_id] = asyncio.Lock()
        return lock

    @contextlib.asynccontextmanager
    async def _changing(self, conference_id: int) -> AsyncIterator[None]:
        """Hold the conference's run sheet against every other change, here or on a replica."""
        async with self._lock(conference_id):
            if self.shared is None:
                yield
                return
            taking = asyncio.ensure_future(asyncio.to_thread(self.shared.acquire, conference_id))
            try:
                held = await asyncio.shield(taking)
            except asyncio.CancelledError:
                # The thread still takes the lock: let it go as soon as it has.
                taking.add_done_callback(_release_when_taken)
                raise
            try:
                yield
            finally:
                await asyncio.to_thread(held.release)

    def _load(self, conference: Conference) -> RunSheet:
        stored = self.repo.get_state(state_key(conference.id)) or ""
        cached = self._cache.get(conference.id)
        if cached is not None and cached[1] == stored:
            return cached[0]
        facts = run_sheet_facts(conference)
        if stored:
            journal: list[Entry] = json.loads(stored)
            sheet = restore_run_sheet(self.rt.playbook(conference), facts, journal)
        else:
            sheet = compile_run_sheet(self.rt.playbook(conference), facts)
        self._cache[conference.id] = (sheet, stored)
        return sheet

    async def _apply(self, conference_id: int, change: Callable[[RunSheet], T]) -> T:
        async with self._changing(conference_id):
            conference = self.repo.get_conference(conference_id)
            sheet = self._load(conference)
            answered = {p.id: p.answered for p in sheet.prompts}
            jobs = {job.id: job.due for job in sheet.pending_jobs()}
            started, ended = sheet.started_at is not None, sheet.ended_at is not None
            try:
                result = change(sheet)
            except RunSheetError:
                self._cache.pop(conference_id, None)  # rebuilt from the journal next time
                raise
            for event in sheet.take_events():
                self.repo.append_timeline(
                    conference_id,
                    actor=event.actor,
                    kind=event.kind,
                    step_id=event.step_id,
                    detail=dict(event.detail),
                    at=event.at,
                )
            text = json.dumps(sheet.journal())
            self.repo.set_state(state_key(conference_id), text)
            self._cache[conference_id] = (sheet, text)
            self._schedule(conference_id, sheet, jobs)
            conference = self._move_state(conference, sheet, started, ended)
            new = [p for p in sheet.prompts if p.id not in answered]
            closed = [p for p in sheet.prompts if p.id in answered and answered[p.id] != p.answered]
        await self._deliver(conference, new, closed)
        return result

    def _schedule(self, conference_id: int, sheet: RunSheet, held: dict[str, datetime]) -> int:
        now, added = self.clock(), 0
        for job in sheet.pending_jobs():
            if held.get(job.id) == job.due:
                continue
            # A wake-up already past (a late answer, a restart) runs at once rather than never.
            when = max(now, job.due)
            self.rt.scheduler.add(Job(when, conference_id, job.id, RUNSHEET_ACTION))
            added += 1
        return added

    def _move_state(
        self, conference: Conference, sheet: RunSheet, started: bool, ended: bool
    ) -> Conference:
        if conference.state in FINISHED:
            return conference
        state = None
        if sheet.ended_at is not None and not ended:
            state = ConferenceState.CONCLUDED
        elif sheet.started_at is not None and not started:
            state = ConferenceState.IN_MEETING
        if state is None or state is conference.state:
            return conference
        self.repo.append_timeline(
            conference.id, actor=SYSTEM, kind="state_changed", detail={"state": state.value}
        )
        return self.repo.update_conference(conference.id, state=state)

    async def _deliver(
        self, conference: Conference, new: list[Prompt], closed: list[Prompt]
    ) -> None:
        await self.delivery.deliver(conference, self.channels, new, closed)
