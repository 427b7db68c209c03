"""The one facade the web acts through: forms and the JSON API call the runtime only here.

It also holds the one mapping from errors to HTTP answers, so a page and the API refuse
the same action with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiohttp import web

from bot.core.allocation import ChairSuggestion
from bot.core.conference import Conference, ConferenceType, MeetingFormat, Participant
from bot.core.contacts import ContactCorrection
from bot.core.decisions import DecisionSheet
from bot.core.errors import (
    ActionRefused,
    InvalidInput,
    NotCompleted,
    NotFound,
    RemoteServiceError,
)
from bot.core.minutes.model import Decisions, Minutes

__all__ = [
    "ACTIONS_KEY",
    "ActionRefused",
    "Actions",
    "BadRequest",
    "ConferenceActions",
    "NotCompleted",
    "http_error",
]


class BadRequest(InvalidInput):
    """The request's body or fields are wrong; the message names the field."""

    status = 400  # 413 for a body too large to read (bot.web.json_body)


def http_error(err: Exception) -> tuple[int, str] | None:
    """The HTTP status and message for an error the facade raises; None for a bug."""
    if isinstance(err, NotCompleted):
        return 503, str(err)
    if isinstance(err, NotFound):
        return 404, str(err)
    if isinstance(err, BadRequest):
        return err.status, str(err)
    if isinstance(err, InvalidInput):
        return 400, str(err)
    if isinstance(err, ActionRefused):
        return 409, str(err)
    if isinstance(err, RemoteServiceError):
        return 503, str(NotCompleted())
    return None


class Actions(Protocol):
    """Everything a person can ask of confbot from the pages or the API.

    ``by`` is the signed-in user. Each action records itself on the conference's timeline
    and raises ``ActionRefused`` (``NotCompleted`` when Microsoft 365 failed) when it
    cannot be done, or ``NotFound``.
    """

    async def suggest(self, conference_id: int) -> list[ChairSuggestion]:
        """Chairs ranked by earliest free slot in the statutory window, then workload."""

    async def allocate(self, conference_id: int, chair: str, by: str) -> Conference:
        """Allocate a chair to the conference."""

    async def set_format(
        self,
        conference_id: int,
        *,
        meeting_format: MeetingFormat,
        start: datetime,
        by: str,
        length: timedelta | None = None,
        confidential: timedelta | None = None,
        venue: str | None = None,
        late_reason: str | None = None,
        late_agreed_by: str | None = None,
        format_agreed_by: tuple[str, ...] = (),
        risk_assessed: bool = False,
    ) -> Conference:
        """Record the chair's decision on the format and time; this books the meeting."""

    async def reschedule(
        self, conference_id: int, start: datetime, length: timedelta | None, by: str
    ) -> Conference:
        """Move the conference to a new start time (UTC-aware)."""

    async def cancel(
        self, conference_id: int, reason: str, approved_by: str, by: str
    ) -> Conference:
        """Cancel the conference; ``approved_by`` names who approved the cancellation."""

    async def retry_step(self, conference_id: int, step_id: str, by: str) -> None:
        """Run a failed step again."""

    async def conclude(
        self, conference_id: int, by: str, decisions: dict[str, object] | None = None
    ) -> str:
        """Conclude the conference: draft the minutes and ask for approval; their URL."""

    async def decision_sheet(self, conference_id: int) -> DecisionSheet:
        """The decision form for each child, with the dates the timescales suggest."""

    async def record_decision(
        self, conference_id: int, child_id: int, decision: dict[str, object], by: str
    ) -> Decisions:
        """Record the decision for one child (a changed date needs its reason)."""

    async def minutes_draft(self, conference_id: int) -> Minutes:
        """The minutes as the records stand now, for the approval page."""

    async def send_back_minutes(
        self, conference_id: int, by: str, role: str, comments: str
    ) -> None:
        """Send the draft minutes back with comments instead of approving them."""

    async def approve_minutes(self, conference_id: int, by: str, role: str) -> dict[str, Any]:
        """The chair or an admin approves the minutes."""

    async def approve_distribution(
        self, conference_id: int, step_id: str, by: str, role: str = ""
    ) -> dict[str, Any]:
        """A second admin approves the minutes' distribution list."""

    async def distribution_status(self, conference_id: int) -> dict[str, Any]:
        """The minutes' distribution list and where it stands."""

    async def correct_contact(
        self,
        conference_id: int,
        participant_id: int,
        correction: ContactCorrection,
        *,
        by: str,
        role: str,
    ) -> Participant:
        """Correct a participant's contact; ContactInvalid names each bad field."""

    async def record_posted(self, conference_id: int, step_id: str, *, by: str, role: str) -> None:
        """Record that a letter waiting for the post (its recorded step id) was posted."""

    async def send_letters_again(
        self, conference_id: int, participant_id: int, *, by: str, role: str
    ) -> int:
        """Send a person's letters again to their corrected email; how many went."""

    async def pending_jobs(self, conference_id: int) -> list[tuple[str, str, datetime]]:
        """The conference's scheduled jobs: (step id, action, when)."""

    async def resolve_triage(self, item_id: int, by: str, note: str) -> None:
        """Close a triage item with a note of what was done."""

    async def create_from_draft(
        self,
        item_id: int,
        draft: Mapping[str, Any],
        *,
        playbook: str,
        by: str,
        force_type: ConferenceType | None = None,
    ) -> Conference:
        """Make the conference a person corrected on the triage form (DraftRefused if not yet)."""

    async def create_from_triage(
        self,
        item_id: int,
        *,
        conference_type: ConferenceType,
        playbook: str,
        social_worker: str,
        by: str,
    ) -> Conference:
        """Make a conference from a triage item and close the item."""

    def playbook_names(self) -> list[str]:
        """The council's own playbooks, for the forms that offer them."""


# Forms were written against this name; it is the same facade.
ConferenceActions = Actions

ACTIONS_KEY: web.AppKey[Actions] = web.AppKey("actions", Actions)
