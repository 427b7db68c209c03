"""The web's actions (``bot.web.actions.Actions``), each one use case of the runtime.

``bot.app`` hands this to the web; the web never imports the runtime itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.core.allocation import ChairSuggestion
from bot.core.conference import Conference, ConferenceType, MeetingFormat, Participant
from bot.core.contacts import ContactCorrection
from bot.core.decisions import DecisionSheet
from bot.core.errors import ActionRefused, NotCompleted, RemoteServiceError
from bot.core.minutes.model import Decisions, Minutes
from bot.runtime import allocation, booking, changes, contacts, triage
from bot.runtime.aftercare.sendback import send_back
from bot.runtime.aftercare.service import Aftercare
from bot.runtime.context import Runtime
from bot.runtime.durable import parse_job_id
from bot.runtime.jobs import JobDispatcher
from bot.runtime.scheduler import Job

T = TypeVar("T")


async def _done(action: Awaitable[T]) -> T:
    try:
        return await action
    except RemoteServiceError as err:
        raise NotCompleted from err


class RuntimeActions:
    """The web's actions, each one use case of the runtime."""

    def __init__(self, runtime: Runtime, dispatcher: JobDispatcher, aftercare: Aftercare) -> None:
        self.rt = runtime
        self.dispatcher = dispatcher
        self.aftercare = aftercare

    async def suggest(self, conference_id: int) -> list[ChairSuggestion]:
        """Chairs ranked by earliest free slot, then workload."""
        return await _done(allocation.suggest(self.rt, conference_id))

    async def allocate(self, conference_id: int, chair: str, by: str) -> Conference:
        """Allocate a chair."""
        return await _done(allocation.allocate(self.rt, conference_id, chair, by))

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
        """Record the format and time, which books the meeting."""
        decision = booking.FormatDecision(
            meeting_format=meeting_format,
            start=start,
            length=length,
            confidential=confidential,
            venue=venue,
            late_reason=late_reason,
            late_agreed_by=late_agreed_by,
            format_agreed_by=format_agreed_by,
            risk_assessed=risk_assessed,
        )
        return await _done(booking.set_format(self.rt, conference_id, decision, by=by))

    async def reschedule(
        self, conference_id: int, start: datetime, length: timedelta | None, by: str
    ) -> Conference:
        """Move the conference."""
        return await _done(
            changes.reschedule(self.rt, conference_id, start=start, by=by, length=length)
        )

    async def cancel(
        self, conference_id: int, reason: str, approved_by: str, by: str
    ) -> Conference:
        """Cancel, with the approval and rationale the playbook asks for."""
        return await _done(
            changes.cancel(
                self.rt, conference_id, by=by, rationale=reason, approved_by=approved_by or None
            )
        )

    async def retry_step(self, conference_id: int, step_id: str, by: str) -> None:
        """Run a failed job again, now; it is recorded on the timeline as before."""
        parsed = parse_job_id(step_id)
        if parsed is None or parsed[0] != conference_id:
            raise ActionRefused("That step cannot be retried from here.")
        self.rt.record(conference_id, by, "retry_requested", step_id=step_id)
        await _done(self.dispatcher.run(Job(self.rt.clock(), *parsed)))

    async def conclude(
        self, conference_id: int, by: str, decisions: dict[str, object] | None = None
    ) -> str:
        """Conclude: draft the minutes and ask for their approval."""
        return await _done(
            self.aftercare.conference_concluded(conference_id, by=by, decisions=decisions)
        )

    async def decision_sheet(self, conference_id: int) -> DecisionSheet:
        """The decision form for each child, with the dates the timescales suggest."""
        return self.aftercare.decisions.sheet(conference_id)

    async def record_decision(
        self, conference_id: int, child_id: int, decision: dict[str, object], by: str
    ) -> Decisions:
        """Record the decision for one child (a changed date needs its reason)."""
        return self.aftercare.decisions.record(conference_id, child_id, decision, by=by)

    async def minutes_draft(self, conference_id: int) -> Minutes:
        """The minutes as the records stand now, for the approval page."""
        return self.aftercare.minutes(self.rt.store.get_conference(conference_id))

    async def send_back_minutes(
        self, conference_id: int, by: str, role: str, comments: str
    ) -> None:
        """Send the draft minutes back with comments instead of approving them."""
        send_back(self.rt, conference_id, user=by, role=role, comments=comments)

    async def approve_minutes(self, conference_id: int, by: str, role: str) -> dict[str, Any]:
        """Approve the minutes, as the conference's chair or an admin."""
        return await _done(self.aftercare.approve_minutes(conference_id, user=by, role=role))

    async def approve_distribution(
        self, conference_id: int, step_id: str, by: str, role: str = ""
    ) -> dict[str, Any]:
        """Approve the minutes' distribution list (the second admin's peer check)."""
        return await _done(self.aftercare.approve_distribution(conference_id, user=by, role=role))

    async def distribution_status(self, conference_id: int) -> dict[str, Any]:
        """The minutes' distribution list and its state."""
        return self.aftercare.distribution_status(conference_id)

    async def correct_contact(
        self,
        conference_id: int,
        participant_id: int,
        correction: ContactCorrection,
        *,
        by: str,
        role: str,
    ) -> Participant:
        """Correct a participant's contact details."""
        return contacts.correct_contact(
            self.rt, conference_id, participant_id, correction, by=by, role=role
        )

    async def record_posted(self, conference_id: int, step_id: str, *, by: str, role: str) -> None:
        """Record that a letter waiting for the post was posted."""
        contacts.record_posted(self.rt, conference_id, step_id, by=by, role=role)

    async def send_letters_again(
        self, conference_id: int, participant_id: int, *, by: str, role: str
    ) -> int:
        """Send a person's letters again to their corrected email."""
        return await _done(
            contacts.send_letters_again(self.rt, conference_id, participant_id, by=by, role=role)
        )

    async def pending_jobs(self, conference_id: int) -> list[tuple[str, str, datetime]]:
        """The conference's scheduled jobs."""
        return [(j.step_id, j.action, j.run_at) for j in self.rt.scheduler.pending(conference_id)]

    async def resolve_triage(self, item_id: int, by: str, note: str) -> None:
        """Close a triage item."""
        triage.resolve(self.rt, item_id, by=by, note=note)

    async def create_from_draft(
        self,
        item_id: int,
        draft: Mapping[str, Any],
        *,
        playbook: str,
        by: str,
        force_type: ConferenceType | None = None,
    ) -> Conference:
        """Make the conference a person corrected on the triage form."""
        return await triage.create_from_draft(
            self.rt, item_id, draft, playbook=playbook, by=by, force_type=force_type
        )

    async def create_from_triage(
        self,
        item_id: int,
        *,
        conference_type: ConferenceType,
        playbook: str,
        social_worker: str,
        by: str,
    ) -> Conference:
        """Make a conference from a triage item."""
        return triage.create_conference(
            self.rt,
            item_id,
            conference_type=conference_type,
            playbook=playbook,
            social_worker=social_worker,
            by=by,
        )

    def playbook_names(self) -> list[str]:
        """The council's playbooks."""
        return self.rt.playbooks.names()
