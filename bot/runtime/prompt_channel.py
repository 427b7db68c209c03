"""Ports between the run sheet and the chair: prompts out, answers and meeting events in.

``PromptChannel`` is how the runtime reaches the chair (Teams, or the chair console).
``RunSheetInbox`` is what those adapters call when the chair answers or the meeting
changes; the runtime implements it over the durable run sheets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.conference import Role
from bot.core.runsheet.model import Answer, CommandResult, Prompt


class PromptChannelError(Exception):
    """A prompt could not be delivered; the runtime decides whether to retry."""

    def __init__(
        self, conference_id: int, prompt_id: str, reason: str, *, unclear: bool = False
    ) -> None:
        super().__init__(f"prompt {prompt_id} for conference {conference_id}: {reason}")
        self.conference_id = conference_id
        self.prompt_id = prompt_id
        self.reason = reason  # in words, no personal data: "Teams answered 503"
        # The card may have been shown all the same (a timeout, a 5xx): a resend may show it twice.
        self.unclear = unclear


class ChairUnreachable(PromptChannelError):
    """Teams cannot message a chair who has never spoken to, or installed, the bot."""

    def __init__(self, conference_id: int, prompt_id: str) -> None:
        super().__init__(conference_id, prompt_id, "no conversation with the chair yet")


class PromptChannel(Protocol):
    """Delivers prompts to a conference's chair and shows them answered."""

    async def send_prompt(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        """Show ``prompt`` to ``chair`` (their Entra object id); sending twice shows it once."""

    async def mark_answered(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        """Show ``prompt`` (now answered) in its answered state, wherever it was shown."""


class RunSheetInbox(Protocol):
    """What an adapter calls when the chair answers or the meeting changes."""

    async def answer(
        self,
        conference_id: int,
        prompt_id: str,
        answer: Answer,
        at: datetime,
        note: str | None = None,
    ) -> Prompt:
        """Record the chair's answer; returns the prompt in its answered state."""

    async def command(self, conference_id: int, text: str, at: datetime) -> CommandResult:
        """A typed chair command: next, status or help."""

    async def meeting_started(self, conference_id: int, at: datetime) -> None:
        """The Teams meeting has started."""

    async def meeting_ended(self, conference_id: int, at: datetime) -> None:
        """The Teams meeting has ended."""

    async def participant_joined(
        self, conference_id: int, party_id: str, at: datetime, role: Role, label: str
    ) -> None:
        """Someone joined the meeting; ``party_id`` is stable and holds no personal data."""

    async def open_prompts(self, conference_id: int) -> list[Prompt]:
        """The prompts still waiting for the chair."""
