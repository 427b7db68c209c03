"""The JSON API for admins' scripts and the status page, described at /api/openapi.json."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.core.conference import (
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    TriageItem,
)
from bot.core.contacts import FIELDS, ContactCorrection, ContactInvalid
from bot.core.errors import NotFound
from bot.intake.draft import DraftRefused
from bot.store.queries import StoredRequest
from bot.web.actions import ACTIONS_KEY, Actions, BadRequest, http_error
from bot.web.audit import record_view
from bot.web.auth import Identity, current_identity
from bot.web.json_body import read_json
from bot.web.records import child_json, participant_json
from bot.web.status import in_thread, queries

__all__ = ["BadRequest", "add_routes", "endpoint"]

Handler = Callable[[web.Request, Identity], Awaitable[web.StreamResponse]]
STAFF_ROLES = ("admin", "mts")
CONTACT_ROLES = (*STAFF_ROLES, "chair")  # the chair corrects their own conferences' contacts
ROLE_NAMES = {"mts": "MTS"}


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def endpoint(
    handler: Handler, roles: tuple[str, ...] = STAFF_ROLES
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Authenticate, then turn domain errors into JSON answers with a clear message."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        identity = current_identity(request)
        if identity is None:
            return _error(401, "sign in, or send an API token as a Bearer token")
        if identity.role not in roles:
            names = " or ".join(ROLE_NAMES.get(r, r) for r in roles)
            return _error(403, f"this needs the {names} role")
        try:
            return await handler(request, identity)
        except Exception as err:
            # The one error-to-HTTP mapping, shared with the pages' forms.
            answer = http_error(err)
            if answer is None:
                raise
            return _error(*answer)

    wrapped.__doc__ = handler.__doc__
    return wrapped


def actions(request: web.Request) -> Actions:
    """The runtime's actions, as wired by bot.app."""
    found = request.app.get(ACTIONS_KEY)
    if found is None:
        raise web.HTTPServiceUnavailable(text="confbot is still starting")
    return found


async def _body(request: web.Request) -> dict[str, Any]:
    body = await read_json(request, empty={})
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _field(body: dict[str, Any], name: str, *, required: bool = True) -> Any:
    if name not in body or body[name] in (None, ""):
        if required:
            raise BadRequest(f"'{name}' is required")
        return None
    return body[name]


def _moment(body: dict[str, Any], name: str) -> datetime:
    text = str(_field(body, name))
    try:
        value = datetime.fromisoformat(text)
    except ValueError as err:
        raise BadRequest(f"'{name}' must be an ISO 8601 date and time, not {text!r}") from err
    if value.tzinfo is None:
        raise BadRequest(f"'{name}' must include its time zone, e.g. 2026-12-15T10:00:00+00:00")
    return value


def _minutes(body: dict[str, Any], name: str) -> timedelta | None:
    value = _field(body, name, required=False)
    if value is None:
        return None
    if not isinstance(value, int) or value < 0:
        raise BadRequest(f"'{name}' must be a whole number of minutes")
    return timedelta(minutes=value)


def _id(request: web.Request, name: str = "id") -> int:
    text = request.match_info[name]
    if not text.isdigit():
        raise BadRequest(f"{name} must be a number")
    return int(text)


def summary(c: Conference) -> dict[str, Any]:
    """A conference for list views: no names, numbers or addresses of the family."""
    return {
        "id": c.id,
        "reference": c.reference,
        "type": c.conference_type.value,
        "state": c.state.value,
        "chair": c.chair,
        "format": c.meeting_format.value if c.meeting_format else None,
        "start": c.start_at.isoformat() if c.start_at else None,
        "playbook": c.playbook,
    }


@endpoint
async def list_conferences(request: web.Request, _who: Identity) -> web.StreamResponse:
    """Conferences, newest first; filter by ?state= and ?chair=."""
    reads = queries(request)
    state_text = request.query.get("state")
    try:
        state = ConferenceState(state_text) if state_text else None
    except ValueError as err:
        raise BadRequest(f"unknown state {state_text!r}") from err
    limit = min(int(request.query.get("limit", "50")), 500)
    offset = int(request.query.get("offset", "0"))
    rows = await in_thread(
        reads.conferences, state=state, chair=request.query.get("chair"), limit=limit, offset=offset
    )
    return web.json_response({"conferences": [summary(c) for c in rows]})


@endpoint
async def get_conference(request: web.Request, who: Identity) -> web.StreamResponse:
    """One conference with its children, participants, facts, meeting, timeline and jobs."""
    reads = queries(request)
    conference = await in_thread(reads.conference, _id(request))
    await record_view(request, who, conference.id, "api")
    body = summary(conference)
    body.update(
        meeting={"event_id": conference.event_id, "join_url": conference.join_url},
        length_minutes=int(conference.length.total_seconds() // 60) if conference.length else None,
        children=[child_json(c) for c in conference.children],
        participants=[participant_json(p) for p in conference.participants],
        # Every other fact the request gave (strategy discussion, preferences, needs, ...).
        facts={
            "strategy_discussion": (
                conference.strategy_discussion.isoformat()
                if conference.strategy_discussion
                else None
            ),
            **{k: v for k, v in conference.facts.items() if k != "other_numbers"},
        },
        mailbox=conference.mailbox,
        playbook_version=conference.playbook_version,
        timeline=[
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "kind": e.kind,
                "step_id": e.step_id,
                "detail": e.detail,
            }
            for e in await in_thread(reads.timeline, conference.id)
        ],
        jobs=[
            {"step_id": step_id, "action": action, "run_at": run_at.isoformat()}
            for step_id, action, run_at in await actions(request).pending_jobs(conference.id)
        ],
    )
    return web.json_response(body)


@endpoint
async def suggestions(request: web.Request, _who: Identity) -> web.StreamResponse:
    """Chairs ranked by earliest free slot in the statutory window, then workload."""
    ranked = await actions(request).suggest(_id(request))
    return web.json_response(
        {
            "chairs": [
                {
                    "chair": s.chair,
                    "first_free_slot": s.slot.isoformat() if s.slot else None,
                    "workload": s.workload,
                }
                for s in ranked
            ]
        }
    )


@endpoint
async def allocate(request: web.Request, who: Identity) -> web.StreamResponse:
    """Allocate a chair: {"chair": address}."""
    body = await _body(request)
    conference = await actions(request).allocate(
        _id(request), str(_field(body, "chair")), by=who.user
    )
    return web.json_response(summary(conference))


@endpoint
async def set_format(request: web.Request, who: Identity) -> web.StreamResponse:
    """Record the format: {"format", "start", "length_minutes"?, "confidential_minutes"?,
    "venue"? (needed for hybrid and face to face), "late_reason"? and "late_agreed_by"?
    (a booking that misses a deadline), "format_agreed_by"? [names], "risk_assessed"?}."""
    body = await _body(request)
    try:
        fmt = MeetingFormat(str(_field(body, "format")))
    except ValueError as err:
        names = ", ".join(f.value for f in MeetingFormat)
        raise BadRequest(f"'format' must be one of {names}") from err
    agreed = _field(body, "format_agreed_by", required=False) or []
    if not isinstance(agreed, list) or not all(isinstance(a, str) for a in agreed):
        raise BadRequest("'format_agreed_by' must be a list of names")
    conference = await actions(request).set_format(
        _id(request),
        meeting_format=fmt,
        start=_moment(body, "start"),
        length=_minutes(body, "length_minutes"),
        confidential=_minutes(body, "confidential_minutes"),
        late_reason=_field(body, "late_reason", required=False),
        late_agreed_by=_field(body, "late_agreed_by", required=False),
        venue=_field(body, "venue", required=False),
        format_agreed_by=tuple(agreed),
        risk_assessed=bool(body.get("risk_assessed", False)),
        by=who.user,
    )
    return web.json_response(summary(conference))


@endpoint
async def reschedule(request: web.Request, who: Identity) -> web.StreamResponse:
    """Move a booked conference: {"start", "length_minutes"?}."""
    body = await _body(request)
    conference = await actions(request).reschedule(
        _id(request), _moment(body, "start"), _minutes(body, "length_minutes"), who.user
    )
    return web.json_response(summary(conference))


@endpoint
async def cancel(request: web.Request, who: Identity) -> web.StreamResponse:
    """Cancel: {"rationale", "approved_by"}, as the playbook's cancellation rule requires."""
    body = await _body(request)
    conference = await actions(request).cancel(
        _id(request),
        str(_field(body, "rationale", required=False) or ""),
        str(_field(body, "approved_by", required=False) or ""),
        who.user,
    )
    return web.json_response(summary(conference))


def _strings(body: dict[str, Any], name: str) -> tuple[str, ...] | None:
    if name not in body:
        return None
    value = body[name]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContactInvalid({name: f"'{name}' must be a list of text values"})
    return tuple(value)


def _text(body: dict[str, Any], name: str, *, clearable: bool) -> str | None:
    if name not in body:
        return None
    value = body[name]
    if value is None and clearable:
        return ""
    if not isinstance(value, str):
        raise ContactInvalid({name: f"'{name}' must be text"})
    return value


def correction_of(body: dict[str, Any]) -> ContactCorrection:
    """The correction a PATCH body asks for: only the fields it names."""
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise ContactInvalid(
            {
                name: f"'{name}' cannot be corrected (fields: {', '.join(FIELDS)})"
                for name in unknown
            }
        )
    return ContactCorrection(
        name=_text(body, "name", clearable=False),
        relationship=_text(body, "relationship", clearable=True),
        emails=_strings(body, "emails"),
        phones=_strings(body, "phones"),
        postal_address=_text(body, "postal_address", clearable=True),
    )


async def correct_participant(request: web.Request, who: Identity) -> web.StreamResponse:
    """Correct a participant's contact: any of {"emails": [...], "phones": [...],
    "postal_address", "name", "relationship"}; only the fields given change."""
    conference_id, participant_id = _id(request), _id(request, "participant_id")
    if who.role == "chair":
        # A chair sees only their own conferences; another's is "not found", as on the pages.
        conference = await in_thread(queries(request).conference, conference_id)
        if (conference.chair or "").lower() != who.user.lower():
            raise NotFound("conference", conference_id)
    try:
        correction = correction_of(await _body(request))
        person = await actions(request).correct_contact(
            conference_id, participant_id, correction, by=who.user, role=who.role
        )
    except ContactInvalid as err:
        problems = [{"field": name, "message": why} for name, why in err.problems.items()]
        return web.json_response({"error": str(err), "problems": problems}, status=400)
    return web.json_response(participant_json(person))


@endpoint
async def list_triage(request: web.Request, _who: Identity) -> web.StreamResponse:
    """Open triage items with the reasons confbot could not read them."""
    items = await in_thread(queries(request).triage_items)
    return web.json_response(
        {
            "triage": [
                {
                    "id": t.id,
                    "request_id": t.request_id,
                    "kind": t.kind,
                    "subject": t.subject,
                    "reasons": list(t.reasons),
                    "created_at": t.created_at.isoformat(),
                }
                for t in items
            ]
        }
    )


def triage_json(item: TriageItem, mail: StoredRequest | None) -> dict[str, Any]:
    """One triage item with everything read from its email, to correct and book."""
    return {
        "id": item.id,
        "kind": item.kind,
        "state": item.state,
        "reasons": list(item.reasons),
        "draft": item.draft,
        "problems": [dict(p) for p in item.problems],
        "sources": dict(item.sources),
        "summary": item.summary,
        "created_at": item.created_at.isoformat(),
        "request": {
            "sender": mail.sender,
            "subject": mail.subject,
            "received_at": mail.received_at.isoformat(),
        }
        if mail is not None
        else None,
    }


@endpoint
async def get_triage(request: web.Request, _who: Identity) -> web.StreamResponse:
    """One triage item: its reasons, the draft read from the email, and the problems by field."""
    item_id = _id(request)
    item = await in_thread(queries(request).triage_item, item_id)
    if item is None:
        raise NotFound("triage item", item_id)
    mail = await in_thread(queries(request).request_email, item.request_id)
    return web.json_response(triage_json(item, mail))


@endpoint
async def triage_conference(request: web.Request, who: Identity) -> web.StreamResponse:
    """Book a triage item's request: {"playbook": name, "draft": the corrected draft}.

    400 lists each problem with the draft field it is about; a threshold item may send
    {"icpc": true} to make it an ICPC request.
    """
    body = await _body(request)
    draft = _field(body, "draft")
    if not isinstance(draft, dict):
        raise BadRequest("'draft' must be an object (see GET /api/triage/{id})")
    force = ConferenceType.ICPC if body.get("icpc") is True else None
    try:
        conference = await actions(request).create_from_draft(
            _id(request),
            draft,
            playbook=str(_field(body, "playbook")),
            by=who.user,
            force_type=force,
        )
    except DraftRefused as err:
        return web.json_response(
            {"error": str(err), "problems": [p.as_json() for p in err.problems]}, status=400
        )
    return web.json_response(summary(conference), status=201)


@endpoint
async def resolve_triage(request: web.Request, who: Identity) -> web.StreamResponse:
    """Close a triage item: {"resolution": what was done}."""
    body = await _body(request)
    item_id = _id(request)
    await actions(request).resolve_triage(item_id, who.user, str(_field(body, "resolution")))
    return web.json_response({"id": item_id, "state": "resolved"})


ROUTES: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
    ("GET", "/api/conferences", list_conferences),
    ("GET", "/api/conferences/{id}", get_conference),
    ("GET", "/api/conferences/{id}/suggestions", suggestions),
    ("POST", "/api/conferences/{id}/allocate", allocate),
    ("POST", "/api/conferences/{id}/format", set_format),
    ("POST", "/api/conferences/{id}/reschedule", reschedule),
    ("POST", "/api/conferences/{id}/cancel", cancel),
    (
        "PATCH",
        "/api/conferences/{id}/participants/{participant_id}",
        endpoint(correct_participant, CONTACT_ROLES),
    ),
    ("GET", "/api/triage", list_triage),
    ("GET", "/api/triage/{id}", get_triage),
    ("POST", "/api/triage/{id}/conference", triage_conference),
    ("POST", "/api/triage/{id}/resolve", resolve_triage),
]


def openapi(
    routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]],
) -> dict[str, Any]:
    """An OpenAPI 3.1 description of the routes, from their docstrings."""
    paths: dict[str, dict[str, Any]] = {}
    for method, path, handler in routes:
        operation: dict[str, Any] = {
            "summary": (handler.__doc__ or "").strip(),
            "security": [{"bearer": []}, {"cookie": []}],
            "responses": {
                "200": {"description": "done"},
                "400": {"description": "the request is malformed; the error names the field"},
                "401": {"description": "not signed in"},
                "404": {"description": "no such record"},
                "409": {"description": "refused by the conference's state or playbook"},
            },
        }
        if "{id}" in path:
            operation["parameters"] = [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ]
        if "{participant_id}" in path:
            operation["parameters"].append(
                {
                    "name": "participant_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            )
        if method in ("POST", "PATCH"):
            operation["requestBody"] = {
                "content": {"application/json": {"schema": {"type": "object"}}}
            }
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "confbot", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "confbot_session"},
            }
        },
    }


async def openapi_json(request: web.Request) -> web.Response:
    """The API description of every /api route mounted, this module's and others'."""
    routes = [
        (route.method, route.resource.canonical, route.handler)
        for route in request.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.resource.canonical != "/api/openapi.json"
        and route.method in ("GET", "POST", "PATCH")
    ]
    return web.json_response(openapi(routes))


def add_routes(app: web.Application) -> None:
    """Mount the API."""
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
    app.router.add_get("/api/openapi.json", openapi_json)
