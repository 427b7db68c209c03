"""A RunSheetInbox over run sheets held in memory, for local development and the Playground.

The runtime's durable inbox replaces this in production: it keeps the run sheet's jobs in
the scheduler's store so they fire once, even across a restart. This one shows the same
behaviour to a developer and to tests, and records every event through ``record``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.core.conference import Role
from bot.core.runsheet.model import Answer, CommandResult, Event, Prompt, RunSheetError
from bot.core.runsheet.sheet import RunSheet
from bot.runtime.prompt_channel import PromptChannel, PromptChannelError

logger = logging.getLogger(__name__)

Recorder = Callable[[int, Event], None]


class LocalRunSheets:
    """Run sheets by conference id; every change is recorded and new prompts are sent."""

    def __init__(self, record: Recorder, channel: PromptChannel | None = None) -> None:
        self.record = record
        self.channel = channel
        self._sheets: dict[int, tuple[RunSheet, str]] = {}

    def add(self, conference_id: int, sheet: RunSheet, chair: str) -> None:
        """Run ``sheet`` for a conference; ``chair`` is the chair's Entra object id."""
        self._sheets[conference_id] = (sheet, chair)

    def sheet(self, conference_id: int) -> RunSheet:
        """The run sheet for a conference."""
        try:
            return self._sheets[conference_id][0]
        except KeyError:
            raise RunSheetError(f"conference {conference_id} has no run sheet here") from None

    async def answer(
        self,
        conference_id: int,
        prompt_id: str,
        answer: Answer,
        at: datetime,
        note: str | None = None,
    ) -> Prompt:
        """Record the chair's answer; returns the prompt in its answered state."""
        sheet = self.sheet(conference_id)
        await self._apply(conference_id, lambda: sheet.answer(prompt_id, answer, at, note))
        return sheet.prompt(prompt_id)

    async def command(self, conference_id: int, text: str, at: datetime) -> CommandResult:
        """A typed chair command: next, status or help."""
        sheet = self.sheet(conference_id)
        results: list[CommandResult] = []

        def run() -> list[Prompt]:
            results.append(sheet.command(text, at))
            return list(results[0].prompts)

        await self._apply(conference_id, run)
        return results[0]

    async def meeting_started(self, conference_id: int, at: datetime) -> None:
        """The Teams meeting has started."""
        sheet = self.sheet(conference_id)
        await self._apply(conference_id, lambda: sheet.start(at))

    async def meeting_ended(self, conference_id: int, at: datetime) -> None:
        """The Teams meeting has ended."""
        sheet = self.sheet(conference_id)
        await self._apply(conference_id, lambda: sheet.end(at))

    async def participant_joined(
        self, conference_id: int, party_id: str, at: datetime, role: Role, label: str
    ) -> None:
        """Someone joined the meeting."""
        sheet = self.sheet(conference_id)
        await self._apply(conference_id, lambda: sheet.join(party_id, at, role=role, label=label))

    async def open_prompts(self, conference_id: int) -> list[Prompt]:
        """The prompts still waiting for the chair."""
        return self.sheet(conference_id).open_prompts()

    async def tick(self, now: datetime) -> None:
        """Fire every run sheet's due jobs (a stand-in for the durable scheduler)."""
        for conference_id, (sheet, _) in list(self._sheets.items()):
            await self._apply(conference_id, lambda s=sheet: s.advance(now))  # type: ignore[misc]

    async def _apply(self, conference_id: int, change: Callable[[], list[Prompt]]) -> None:
        sheet, chair = self._sheets[conference_id]
        before = {p.id: p.answered for p in sheet.prompts}
        new = change()
        for event in sheet.take_events():
            self.record(conference_id, event)
        if self.channel is None:
            return
        closed = [p for p in sheet.prompts if p.id in before and before[p.id] != p.answered]
        try:
            for prompt in new:
                await self.channel.send_prompt(conference_id, chair, prompt)
            for prompt in closed:
                await self.channel.mark_answered(conference_id, chair, prompt)
        except PromptChannelError as err:
            # The run sheet has moved on; the chair console still shows every prompt.
            logger.warning(
                "prompt not delivered: %s",
                err.reason,
                extra={"conference_id": conference_id, "step_id": err.prompt_id},
            )
