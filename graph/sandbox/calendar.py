"""Sandbox calendar endpoints: events, calendarView, onlineMeetings and getSchedule."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from graph.sandbox.state import GraphFault, Tenant, new_id, now_iso
from graph.sandbox.web import graph_json, read_json, sandbox_of, user_param

routes = web.RouteTableDef()

# A fictional dial-in: Ofcom's drama range for London (020 7946 0xxx).
TOLL_NUMBER = "+44 20 7946 0123"
_FILTER_URL = re.compile(r"joinweburl\s+eq\s+'(?P<url>(?:[^']|'')*)'", re.IGNORECASE)


def _parse_time(value: dict[str, Any]) -> datetime:
    text = str(value.get("dateTime", ""))
    if "." in text:
        head, frac = text.split(".", 1)
        text = f"{head}.{frac.rstrip('Z')[:6]}"
    try:
        parsed = datetime.fromisoformat(text.rstrip("Z"))
    except ValueError as err:
        raise GraphFault(400, "ErrorInvalidRequest", "Invalid dateTime.") from err
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _graph_time(value: datetime) -> dict[str, str]:
    return {"dateTime": value.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _attendees(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "type": a.get("type", "required"),
            "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
            "emailAddress": a.get("emailAddress", {}),
        }
        for a in raw
    ]


def _online_meeting(tenant: Tenant, uid: str, tenant_id: str, event: dict[str, Any]) -> str:
    thread = f"19:meeting_{secrets.token_urlsafe(24)}@thread.v2"
    context = quote(f'{{"Tid":"{tenant_id}","Oid":"{uid}"}}', safe="")
    join = f"https://teams.microsoft.com/l/meetup-join/{quote(thread, safe='')}/0?context={context}"
    conference_id = str(100_000_000 + secrets.randbelow(899_999_999))
    meeting_id = new_id("meeting")
    tenant.online_meetings[uid][meeting_id] = {
        "id": meeting_id,
        "creationDateTime": now_iso(),
        "startDateTime": event["start"]["dateTime"] + "Z",
        "endDateTime": event["end"]["dateTime"] + "Z",
        "joinWebUrl": join,
        "subject": event.get("subject", ""),
        "allowRecording": True,
        "allowTranscription": True,
        "allowedPresenters": "everyone",
        "isEntryExitAnnounced": True,
        "lobbyBypassSettings": {"scope": "organization", "isDialInBypassEnabled": False},
        "audioConferencing": {
            "conferenceId": conference_id,
            "tollNumber": TOLL_NUMBER,
            "dialinUrl": "https://dialin.teams.microsoft.com/sandbox",
        },
        "chatInfo": {"threadId": thread, "messageId": "0"},
    }
    event["onlineMeeting"] = {
        "joinUrl": join,
        "conferenceId": conference_id,
        "tollNumber": TOLL_NUMBER,
    }
    return join


def _store_event(request: web.Request, uid: str, body: dict[str, Any]) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    tenant = sandbox.tenant
    start, end = _parse_time(body.get("start") or {}), _parse_time(body.get("end") or {})
    if end <= start:
        raise GraphFault(400, "ErrorInvalidRequest", "The end time must be after the start.")
    event_id = new_id("event")
    event: dict[str, Any] = {
        "@odata.etag": f'W/"{secrets.token_hex(8)}"',
        "id": event_id,
        "createdDateTime": now_iso(),
        "lastModifiedDateTime": now_iso(),
        "changeKey": secrets.token_hex(8),
        "categories": body.get("categories", []),
        "transactionId": body.get("transactionId"),
        "originalStartTimeZone": "UTC",
        "originalEndTimeZone": "UTC",
        "iCalUId": secrets.token_hex(28),
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": body.get("subject", ""),
        "bodyPreview": str((body.get("body") or {}).get("content", ""))[:255],
        "importance": body.get("importance", "normal"),
        "sensitivity": body.get("sensitivity", "normal"),
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "showAs": "busy",
        "type": "singleInstance",
        "webLink": f"{sandbox.url}/_sandbox/calendar/{quote(uid)}/{event_id}",
        "isOnlineMeeting": bool(body.get("isOnlineMeeting")),
        "onlineMeetingProvider": body.get("onlineMeetingProvider", "unknown"),
        "allowNewTimeProposals": body.get("allowNewTimeProposals", True),
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": body.get("body") or {"contentType": "text", "content": ""},
        "start": _graph_time(start),
        "end": _graph_time(end),
        "location": {
            "displayName": (body.get("location") or {}).get("displayName", ""),
            "locationType": "default",
            "uniqueIdType": "unknown",
        },
        "locations": [],
        "attendees": _attendees(body.get("attendees", [])),
        "organizer": {"emailAddress": tenant.address(uid)},
        "onlineMeeting": None,
    }
    if event["isOnlineMeeting"]:
        _online_meeting(tenant, uid, sandbox.tenant_id, event)
    tenant.events[uid][event_id] = event
    return event


@routes.post("/v1.0/users/{user}/events")
@routes.post("/v1.0/users/{user}/calendar/events")
async def create_event(request: web.Request) -> web.Response:
    """Create an event; a repeated transactionId returns the original."""
    uid = user_param(request)
    body = await read_json(request)
    tenant = sandbox_of(request).tenant
    transaction = body.get("transactionId")
    if transaction:
        existing = tenant.transactions.get((uid, str(transaction)))
        if existing is not None and existing in tenant.events[uid]:
            return graph_json(tenant.events[uid][existing], status=201)
    event = _store_event(request, uid, body)
    if transaction:
        tenant.transactions[(uid, str(transaction))] = event["id"]
    return graph_json(event, status=201)


def _event(request: web.Request) -> tuple[str, dict[str, Any]]:
    uid = user_param(request)
    found = sandbox_of(request).tenant.events[uid].get(request.match_info["event"])
    if found is None:
        raise GraphFault(
            404, "ErrorItemNotFound", "The specified object was not found in the store."
        )
    return uid, found


@routes.get("/v1.0/users/{user}/events/{event}")
async def get_event(request: web.Request) -> web.Response:
    """One event."""
    return graph_json(_event(request)[1])


@routes.patch("/v1.0/users/{user}/events/{event}")
async def update_event(request: web.Request) -> web.Response:
    """Change an event's attendees, subject, body, times or location."""
    _, event = _event(request)
    body = await read_json(request)
    if "attendees" in body:
        event["attendees"] = _attendees(body["attendees"])
    for key in ("subject", "body", "categories", "importance", "sensitivity"):
        if key in body:
            event[key] = body[key]
    for key in ("start", "end"):
        if key in body:
            event[key] = _graph_time(_parse_time(body[key]))
    if "location" in body:
        event["location"]["displayName"] = (body["location"] or {}).get("displayName", "")
    event["lastModifiedDateTime"] = now_iso()
    event["changeKey"] = secrets.token_hex(8)
    return graph_json(event)


@routes.delete("/v1.0/users/{user}/events/{event}")
async def delete_event(request: web.Request) -> web.Response:
    """Delete an event."""
    uid, event = _event(request)
    del sandbox_of(request).tenant.events[uid][event["id"]]
    return web.Response(status=204)


@routes.post("/v1.0/users/{user}/events/{event}/cancel")
async def cancel_event(request: web.Request) -> web.Response:
    """Cancel a meeting the user organises."""
    _, event = _event(request)
    event["isCancelled"] = True
    event["lastModifiedDateTime"] = now_iso()
    return web.Response(status=202)


def _overlapping(tenant: Tenant, uid: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return [
        e
        for e in tenant.events[uid].values()
        if not e["isCancelled"] and _parse_time(e["start"]) < end and _parse_time(e["end"]) > start
    ]


@routes.get("/v1.0/users/{user}/events")
@routes.get("/v1.0/users/{user}/calendarView")
@routes.get("/v1.0/users/{user}/calendar/calendarView")
async def list_events(request: web.Request) -> web.Response:
    """Events, or a calendar view between startDateTime and endDateTime."""
    uid = user_param(request)
    tenant = sandbox_of(request).tenant
    if "calendarView" in request.path:
        try:
            start = _parse_time({"dateTime": request.query["startDateTime"]})
            end = _parse_time({"dateTime": request.query["endDateTime"]})
        except KeyError as err:
            raise GraphFault(
                400, "ErrorInvalidParameter", "startDateTime and endDateTime are required."
            ) from err
        items = _overlapping(tenant, uid, start, end)
    else:
        items = list(tenant.events[uid].values())
    return graph_json({"value": items})


@routes.get("/v1.0/users/{user}/onlineMeetings")
async def find_online_meetings(request: web.Request) -> web.Response:
    """Online meetings filtered by ``JoinWebUrl eq '...'``, the only filter Graph allows."""
    uid = user_param(request)
    match = _FILTER_URL.search(request.query.get("$filter", ""))
    if match is None:
        raise GraphFault(400, "BadRequest", "Filter on JoinWebUrl is required.")
    url = match.group("url").replace("''", "'")
    found = [
        m
        for m in sandbox_of(request).tenant.online_meetings[uid].values()
        if m["joinWebUrl"] == url
    ]
    return graph_json({"value": found})


@routes.patch("/v1.0/users/{user}/onlineMeetings/{meeting}")
async def update_online_meeting(request: web.Request) -> web.Response:
    """Change an online meeting's options."""
    uid = user_param(request)
    meeting = sandbox_of(request).tenant.online_meetings[uid].get(request.match_info["meeting"])
    if meeting is None:
        raise GraphFault(404, "NotFound", "The online meeting was not found.")
    body = await read_json(request)
    for key in (
        "lobbyBypassSettings",
        "allowRecording",
        "allowTranscription",
        "allowedPresenters",
        "subject",
        "isEntryExitAnnounced",
    ):
        if key in body:
            meeting[key] = body[key]
    return graph_json(meeting)


@routes.post("/v1.0/users/{user}/calendar/getSchedule")
async def get_schedule(request: web.Request) -> web.Response:
    """Free/busy for each address over a window, in 30-minute (or asked) intervals."""
    tenant = sandbox_of(request).tenant
    user_param(request)
    body = await read_json(request, action=True)
    start = _parse_time(body.get("startTime") or {})
    end = _parse_time(body.get("endTime") or {})
    interval = timedelta(minutes=int(body.get("availabilityViewInterval", 30)))
    answers = []
    for address in body.get("schedules", []):
        uid = tenant.user_id(str(address), must=False)
        if not uid:
            answers.append(
                {
                    "scheduleId": address,
                    "availabilityView": "",
                    "error": {
                        "message": "The recipient was not found.",
                        "responseCode": "ErrorMailRecipientNotFound",
                    },
                }
            )
            continue
        busy = _overlapping(tenant, uid, start, end)
        spans = [(_parse_time(e["start"]), _parse_time(e["end"])) for e in busy]
        view = []
        slot = start
        while slot < end:
            slot_end = slot + interval
            hit = any(s < slot_end and e > slot for s, e in spans)
            view.append("2" if hit else "0")
            slot = slot_end
        answers.append(
            {
                "scheduleId": address,
                "availabilityView": "".join(view),
                "scheduleItems": [
                    {
                        "isPrivate": False,
                        "status": e["showAs"],
                        "subject": e["subject"],
                        "location": e["location"]["displayName"],
                        "start": e["start"],
                        "end": e["end"],
                    }
                    for e in busy
                ],
                "workingHours": {
                    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "startTime": "09:00:00.0000000",
                    "endTime": "17:00:00.0000000",
                    "timeZone": {"name": "GMT Standard Time"},
                },
            }
        )
    return graph_json({"value": answers})
