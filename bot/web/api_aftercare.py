"""The JSON API after a conference: conclude it, approve its minutes and their distribution."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.core.errors import NotFound, RemoteServiceError
from bot.runtime.aftercare.records import checked_decisions
from bot.runtime.aftercare.service import Aftercare
from bot.runtime.conferences import ActionRefused
from bot.web.api import BadRequest, _body, _id, endpoint
from bot.web.auth import Identity, current_identity

AFTERCARE_KEY: web.AppKey[Aftercare] = web.AppKey("aftercare", Aftercare)


def _decisions(body: dict[str, Any]) -> dict[str, object] | None:
    raw = body.get("decisions")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BadRequest("'decisions' must be an object")
    try:
        return checked_decisions(raw)
    except ValueError as err:
        raise BadRequest(f"decisions: {err}") from err


@endpoint
async def conclude(request: web.Request, who: Identity) -> web.StreamResponse:
    """Conclude: draft the minutes and ask for approval; {"decisions"?: {plan, review, ...}}."""
    body = await _body(request)
    url = await request.app[AFTERCARE_KEY].conference_concluded(
        _id(request), by=who.user, decisions=_decisions(body)
    )
    return web.json_response({"minutes_url": url})


async def approve_minutes(request: web.Request) -> web.StreamResponse:
    """Approve the minutes, as the conference's chair or an admin."""
    # Not `endpoint`: that admits admins only, and the chair may approve their own minutes.
    who = current_identity(request)
    if who is None:
        return web.json_response({"error": "sign in first"}, status=401)
    if who.role not in ("admin", "mts", "chair"):
        return web.json_response({"error": "this needs the chair or an admin"}, status=403)
    try:
        result = await request.app[AFTERCARE_KEY].approve_minutes(
            _id(request), user=who.user, role=who.role
        )
    except NotFound as err:
        return web.json_response({"error": str(err)}, status=404)
    except BadRequest as err:
        return web.json_response({"error": str(err)}, status=400)
    except ActionRefused as err:
        return web.json_response({"error": str(err)}, status=409)
    except RemoteServiceError as err:
        message = f"Microsoft 365 did not complete the action ({err}); try again"
        return web.json_response({"error": message}, status=503)
    return web.json_response(result)


@endpoint
async def approve_distribution(request: web.Request, who: Identity) -> web.StreamResponse:
    """A second admin checks and approves the minutes' distribution list."""
    result = await request.app[AFTERCARE_KEY].approve_distribution(
        _id(request), user=who.user, role=who.role
    )
    return web.json_response(result)


@endpoint
async def distribution(request: web.Request, _who: Identity) -> web.StreamResponse:
    """The minutes' distribution list, for the second admin to check before approving it."""
    return web.json_response(request.app[AFTERCARE_KEY].distribution_status(_id(request)))


ROUTES: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
    ("POST", "/api/conferences/{id}/conclude", conclude),
    ("POST", "/api/conferences/{id}/minutes/approve", approve_minutes),
    ("GET", "/api/conferences/{id}/distribution", distribution),
    ("POST", "/api/conferences/{id}/distribution/approve", approve_distribution),
]


def add_routes(app: web.Application) -> None:
    """Mount the aftercare API."""
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
