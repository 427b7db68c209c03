"""The use-cases the pages' forms call. The runtime implements them; the web only asks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from aiohttp import web

from bot.core.conference import MeetingFormat


class ActionRefused(Exception):
    """The runtime would not do it; the message is plain English a person can act on."""


class ConferenceActions(Protocol):
    """What an admin, MTS member or chair can ask of a conference from its page.

    ``by`` is the signed-in user (never shown in logs with personal data). Each method records
    itself on the conference's timeline and raises ``ActionRefused`` when it cannot be done.
    """

    async def allocate(self, conference_id: int, chair: str, by: str) -> None:
        """Allocate a chair to the conference."""

    async def set_format(
        self,
        conference_id: int,
        meeting_format: MeetingFormat,
        start: datetime,
        by: str,
        length: timedelta | None = None,
        confidential: timedelta | None = None,
        venue: str | None = None,
    ) -> None:
        """Record the chair's decision on the format and time; this books the meeting."""

    async def reschedule(
        self, conference_id: int, start: datetime, length: timedelta | None, by: str
    ) -> None:
        """Move the conference to a new start time (UTC-aware)."""

    async def cancel(self, conference_id: int, reason: str, approved_by: str, by: str) -> None:
        """Cancel the conference; ``approved_by`` names who approved the cancellation."""

    async def retry_step(self, conference_id: int, step_id: str, by: str) -> None:
        """Run a failed step again."""

    async def approve_distribution(
        self, conference_id: int, step_id: str, by: str, role: str = ""
    ) -> None:
        """Approve the distribution list of a step (who receives minutes or reports)."""


ACTIONS_KEY: web.AppKey[ConferenceActions] = web.AppKey("conference_actions", ConferenceActions)
