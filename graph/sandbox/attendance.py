"""Sandbox attendance reports: Graph's meetingAttendanceReport for the organiser's meetings.

Graph makes a report when an online meeting ends, for the organiser only. Here a test (or
a trainer) ends a meeting through ``POST /_sandbox/attendance`` with who joined and when;
the organiser then reads it with the same calls real Graph answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from graph.sandbox.state import GraphFault, new_id
from graph.sandbox.web import graph_json, read_json, sandbox_of, user_param

routes = web.RouteTableDef()


def _meeting(request: web.Request) -> tuple[str, dict[str, Any]]:
    uid = user_param(request)
    meeting = sandbox_of(request).tenant.online_meetings[uid].get(request.match_info["meeting"])
    if meeting is None:
        raise GraphFault(404, "NotFound", "The online meeting was not found.")
    return uid, meeting


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "attendanceRecords"}


@routes.get("/v1.0/users/{user}/onlineMeetings/{meeting}/attendanceReports")
async def list_reports(request: web.Request) -> web.Response:
    """The meeting's reports, one per session, without their records (as Graph lists them)."""
    _uid, meeting = _meeting(request)
    reports = sandbox_of(request).tenant.attendance_reports.get(meeting["id"], [])
    return graph_json({"value": [_summary(r) for r in reports]})


def _report(request: web.Request) -> dict[str, Any]:
    _uid, meeting = _meeting(request)
    reports = sandbox_of(request).tenant.attendance_reports.get(meeting["id"], [])
    found = next((r for r in reports if r["id"] == request.match_info["report"]), None)
    if found is None:
        raise GraphFault(404, "NotFound", "The attendance report was not found.")
    return found


@routes.get("/v1.0/users/{user}/onlineMeetings/{meeting}/attendanceReports/{report}")
async def get_report(request: web.Request) -> web.Response:
    """One report; ``$expand=attendanceRecords`` brings who joined, as Graph's docs show."""
    report = _report(request)
    expand = request.query.get("$expand", "").lower()
    return graph_json(report if "attendancerecords" in expand else _summary(report))


@routes.get(
    "/v1.0/users/{user}/onlineMeetings/{meeting}/attendanceReports/{report}/attendanceRecords"
)
async def list_records(request: web.Request) -> web.Response:
    """Who joined, with each join and leave."""
    return graph_json({"value": _report(request)["attendanceRecords"]})


def _time(value: Any, name: str) -> str:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as err:
        raise GraphFault(400, "BadRequest", f"{name} must be an ISO time.") from err
    if parsed.tzinfo is None:
        raise GraphFault(400, "BadRequest", f"{name} must give its UTC offset.")
    return parsed.isoformat().replace("+00:00", "Z")


def _interval(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise GraphFault(400, "BadRequest", "each interval needs joined and left.")
    joined, left = _time(raw.get("joined"), "joined"), _time(raw.get("left"), "left")
    seconds = int((datetime.fromisoformat(left) - datetime.fromisoformat(joined)).total_seconds())
    if seconds < 0:
        raise GraphFault(400, "BadRequest", "an attendee cannot leave before joining.")
    return {"joinDateTime": joined, "leaveDateTime": left, "durationInSeconds": seconds}


def _record(raw: Any) -> dict[str, Any]:
    # A guest let in from the lobby has a name and no address, as in Graph's own reports.
    if not isinstance(raw, dict) or not (raw.get("email") or raw.get("name")):
        raise GraphFault(400, "BadRequest", "each attendee needs an email or a name.")
    intervals = [_interval(i) for i in raw.get("intervals") or [raw]]
    return {
        "id": new_id("attendance"),
        "emailAddress": str(raw["email"]) if raw.get("email") else None,
        "totalAttendanceInSeconds": sum(i["durationInSeconds"] for i in intervals),
        "role": str(raw.get("role", "Attendee")),
        "identity": {"id": new_id("identity"), "displayName": str(raw.get("name", ""))},
        "attendanceIntervals": intervals,
    }


@routes.post("/_sandbox/attendance")
async def end_meeting(request: web.Request) -> web.Response:
    """End the meeting behind ``joinWebUrl``: its organiser gets an attendance report.

    Body: ``{"organiser", "joinWebUrl", "start", "end", "attendees": [{"email", "name",
    "role", "joined", "left"}]}``; someone who left and came back gives ``"intervals":
    [{"joined", "left"}, ...]`` instead of one ``joined`` and ``left``.
    """
    tenant = sandbox_of(request).tenant
    body = await read_json(request)
    uid = tenant.user_id(str(body.get("organiser", "")))
    url = str(body.get("joinWebUrl", ""))
    meeting = next(
        (m for m in tenant.online_meetings[uid].values() if m["joinWebUrl"] == url), None
    )
    if meeting is None:
        raise GraphFault(
            404, "NotFound", "The organiser has no online meeting with that joinWebUrl."
        )
    attendees = body.get("attendees")
    if not isinstance(attendees, list):
        raise GraphFault(400, "BadRequest", "attendees must be a list.")
    records = [_record(a) for a in attendees]
    report = {
        "id": new_id("report"),
        "totalParticipantCount": len(records),
        "meetingStartDateTime": _time(body.get("start"), "start"),
        "meetingEndDateTime": _time(body.get("end"), "end"),
        "attendanceRecords": records,
    }
    tenant.attendance_reports.setdefault(meeting["id"], []).append(report)
    return graph_json(_summary(report), status=201)
