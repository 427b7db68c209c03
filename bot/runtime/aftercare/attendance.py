"""Who joined the chair's Teams meeting, from Graph's attendance report, for the minutes.

Graph makes the report for the organiser a few minutes after the meeting ends. When a
Teams conference concludes, a durable job asks for it; while there is none yet, it asks
again every half hour, a dozen times, then records that none came. Each person the report
lists is matched to a participant by the address they joined with (or, for a guest who
joined from the lobby with no address, by the name they gave) and recorded on the
timeline. A draft not yet approved is then drafted again, so its attendance rests on the
report.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.core.conference import Conference, Participant
from bot.core.meeting import AttendanceRecord, AttendanceReport
from bot.runtime.context import SYSTEM, Runtime
from bot.runtime.jobs import SETTLED
from bot.runtime.runsheet_facts import party_id
from bot.runtime.scheduler import Job

logger = logging.getLogger(__name__)

ATTENDANCE = "aftercare.attendance"  # job action: read the meeting's attendance report
ATTENDANCE_STEP = "aftercare.attendance"
REPORT_READ = "attendance_report_read"
REPORT_MISSING = "attendance_report_missing"
MEETING_ATTENDED = "meeting_attended"  # one per participant the report lists
FIRST_TRY = timedelta(minutes=10)  # Graph's report comes a few minutes after the meeting ends
EVERY = timedelta(minutes=30)
TRIES = 12


def _attempt_step(n: int) -> str:
    return f"{ATTENDANCE_STEP}.{n}"


class MeetingAttendance:
    """Asks Graph for the attendance report of a concluded Teams conference, and records it."""

    def __init__(
        self,
        runtime: Runtime,
        redraft: Callable[[Conference], Awaitable[object]],
        *,
        enabled: bool = True,
    ) -> None:
        self.rt = runtime
        self.repo = runtime.store
        self.redraft = redraft
        self.enabled = enabled  # off where the council has not granted the permission

    def jobs(self, conference: Conference) -> list[Job]:
        """The next attempt to read the report, if one is still to make."""
        if not (self.enabled and conference.join_url and conference.chair):
            return []  # no Teams meeting, so no report
        if self.repo.has_step(conference.id, ATTENDANCE_STEP, REPORT_READ) or self.repo.has_step(
            conference.id, ATTENDANCE_STEP, REPORT_MISSING
        ):
            return []
        settled = self.repo.step_ids(conference.id, SETTLED)
        for n in range(1, TRIES + 1):
            job = Job(self.rt.clock() + FIRST_TRY, conference.id, _attempt_step(n), ATTENDANCE)
            if job.id not in settled:
                return [job]
        return []

    async def read_report(self, conference: Conference, job: Job) -> None:
        """One attempt: record the report if Graph has it, else try again later."""
        assert conference.chair and conference.join_url
        report = await self.rt.graph.attendance_report(conference.chair, conference.join_url)
        if report is None:
            attempt = int(job.step_id.rsplit(".", 1)[-1])
            if attempt < TRIES:
                next_try = _attempt_step(attempt + 1)
                self.rt.scheduler.add(
                    Job(self.rt.clock() + EVERY, conference.id, next_try, ATTENDANCE)
                )
            else:
                self.rt.record(
                    conference.id, SYSTEM, REPORT_MISSING, step_id=ATTENDANCE_STEP, tries=attempt
                )
            return
        self.record(conference, report)
        await self.redraft(self.repo.get_conference(conference.id))

    def record(self, conference: Conference, report: AttendanceReport) -> None:
        """Put each listed participant's time in the meeting on the timeline, once."""
        if self.repo.has_step(conference.id, ATTENDANCE_STEP, REPORT_READ):
            return
        unmatched: list[str] = []
        # The chair and the minute taker run the meeting: the minutes list them as such.
        staff = {a.lower() for a in (conference.chair or "", *self.rt.people.minute_takers)}
        for record in report.records:
            if record.email.strip().lower() in staff:
                continue
            person = _match(conference, record)
            if person is None:
                unmatched.append(record.name or record.email or "someone with no name")
                continue
            if not record.spans:
                continue
            self.rt.record(
                conference.id,
                SYSTEM,
                MEETING_ATTENDED,
                step_id=ATTENDANCE_STEP,
                party=party_id(person),
                joined=record.spans[0].joined.isoformat(),
                left=_left(record),
                seconds=record.seconds,
            )
        self.rt.record(
            conference.id,
            SYSTEM,
            REPORT_READ,
            step_id=ATTENDANCE_STEP,
            report=report.id,
            start=report.start.isoformat() if report.start else None,
            end=report.end.isoformat() if report.end else None,
            listed=len(report.records),
            # People the report lists who are not participants (a guest who gave another
            # name): MTS can see who they were and correct the attendance by hand.
            unmatched=unmatched,
        )
        logger.info(
            "attendance report read",
            extra={"conference_id": conference.id, "listed": len(report.records)},
        )


def _left(record: AttendanceRecord) -> str | None:
    last = record.spans[-1].left if record.spans else None
    return last.isoformat() if last else None


def _match(conference: Conference, record: AttendanceRecord) -> Participant | None:
    email = record.email.strip().lower()
    name = record.name.strip().lower()
    by_email = [p for p in conference.participants if email and (p.email or "").lower() == email]
    if by_email:
        return by_email[0]
    # Teams adds " (Guest)" to the name of someone let in from the lobby.
    guest = name.removesuffix("(guest)").strip()
    by_name = [p for p in conference.participants if guest and (p.name or "").lower() == guest]
    return by_name[0] if len(by_name) == 1 else None
