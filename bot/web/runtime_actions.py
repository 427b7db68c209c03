"""The pages' actions, done by the runtime: the adapter between bot.web and bot.runtime."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.core.conference import MeetingFormat
from bot.core.errors import RemoteServiceError
from bot.runtime.conferences import ActionRefused as RuntimeRefused
from bot.runtime.conferences import ConferenceService
from bot.runtime.deadlines import DeadlineRunner
from bot.runtime.durable import parse_job_id
from bot.runtime.scheduler import Job
from bot.web.actions import ActionRefused

# Approves a held distribution list (conference id, user, role): the aftercare service.
Approver = Callable[[int, str, str], Awaitable[object]]


class RuntimeActions:
    """ConferenceActions over the ConferenceService, with refusals in plain words."""

    def __init__(
        self,
        conferences: ConferenceService,
        runner: DeadlineRunner,
        approve: Approver | None = None,
    ) -> None:
        self.conferences = conferences
        self.runner = runner
        self.approve = approve

    async def _do(self, action: Awaitable[object]) -> None:
        try:
            await action
        except RuntimeRefused as err:
            raise ActionRefused(str(err)) from err
        except RemoteServiceError as err:
            raise ActionRefused(
                "Microsoft 365 did not complete this. Nothing was lost: please try again."
            ) from err

    async def allocate(self, conference_id: int, chair: str, by: str) -> None:
        """Allocate a chair."""
        await self._do(self.conferences.allocate(conference_id, chair, by))

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
        """Record the format and time, which books the meeting."""
        await self._do(
            self.conferences.set_format(
                conference_id,
                meeting_format=meeting_format,
                start=start,
                by=by,
                length=length,
                confidential=confidential,
                venue=venue,
            )
        )

    async def reschedule(
        self, conference_id: int, start: datetime, length: timedelta | None, by: str
    ) -> None:
        """Move the conference."""
        await self._do(
            self.conferences.reschedule(conference_id, start=start, by=by, length=length)
        )

    async def cancel(self, conference_id: int, reason: str, approved_by: str, by: str) -> None:
        """Cancel, with the approval and rationale the playbook asks for."""
        await self._do(
            self.conferences.cancel(
                conference_id, by=by, rationale=reason, approved_by=approved_by or None
            )
        )

    async def retry_step(self, conference_id: int, step_id: str, by: str) -> None:
        """Run a failed job again, now; it is recorded on the timeline as before."""
        parsed = parse_job_id(step_id)
        if parsed is None or parsed[0] != conference_id:
            raise ActionRefused("That step cannot be retried from here.")
        self.conferences.repo.append_timeline(
            conference_id, actor=by, kind="retry_requested", step_id=step_id
        )
        job = Job(self.conferences.clock(), *parsed)
        await self._do(self.runner.run(job))

    async def approve_distribution(
        self, conference_id: int, step_id: str, by: str, role: str = ""
    ) -> None:
        """Approve a held distribution list (the second admin's peer check)."""
        if self.approve is None:
            raise ActionRefused("No distribution list is waiting for approval.")
        await self._do(self.approve(conference_id, by, role))
