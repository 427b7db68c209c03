"""Attendance reports: who joined the chair's Teams meeting, and when, as Graph recorded it.

Graph makes a report for the organiser once a meeting ends. Reading it needs the
``OnlineMeetingArtifact.Read.All`` application permission and an application access
policy granted to the chair (see the README).
"""

from __future__ import annotations

from typing import Any

from msgraph.generated.users.item.online_meetings.item.attendance_reports.item.meeting_attendance_report_item_request_builder import (  # noqa: E501
    MeetingAttendanceReportItemRequestBuilder,
)

from bot.core.meeting import AttendanceRecord, AttendanceReport, AttendanceSpan
from graph import convert
from graph.calendar import CalendarCalls
from graph.errors import graph_call

_Query = MeetingAttendanceReportItemRequestBuilder.MeetingAttendanceReportItemRequestBuilderGetQueryParameters  # noqa: E501


class AttendanceCalls(CalendarCalls):
    """Read the attendance report of the chair's meeting."""

    @graph_call
    async def attendance_report(self, organiser: str, join_url: str) -> AttendanceReport | None:
        """The last session's report for the meeting at ``join_url``; None before there is one."""
        meeting_id = await self._online_meeting_id(organiser, join_url)
        reports = (
            self._client.users.by_user_id(organiser)
            .online_meetings.by_online_meeting_id(meeting_id)
            .attendance_reports
        )
        listed = await reports.get()
        found = list((listed.value if listed else None) or [])
        if not found:
            return None
        # A meeting joined more than once has one report per session: the last is the conference.
        latest = max(found, key=lambda r: _sort_key(r.meeting_end_date_time))
        report = await reports.by_meeting_attendance_report_id(str(latest.id)).get(
            self._config(_Query(expand=["attendanceRecords"]))
        )
        return _report(report if report is not None else latest)


def _sort_key(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _report(report: Any) -> AttendanceReport:
    records = []
    for record in report.attendance_records or []:
        spans = tuple(
            AttendanceSpan(joined, convert.as_utc(span.leave_date_time))
            for span in record.attendance_intervals or []
            if (joined := convert.as_utc(span.join_date_time)) is not None
        )
        identity = record.identity
        records.append(
            AttendanceRecord(
                email=str(record.email_address or ""),
                name=str(identity.display_name or "") if identity else "",
                spans=spans,
                seconds=int(record.total_attendance_in_seconds or 0),
            )
        )
    return AttendanceReport(
        id=str(report.id),
        start=convert.as_utc(report.meeting_start_date_time),
        end=convert.as_utc(report.meeting_end_date_time),
        records=tuple(records),
    )
