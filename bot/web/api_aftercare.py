"""The JSON API after a conference: conclude it, approve its minutes and their distribution."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.web.api import BadRequest, _body, _id, actions, endpoint
from bot.web.auth import Identity


def _decisions(body: dict[str, Any]) -> dict[str, object] | None:
    raw = body.get("decisions")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BadRequest("'decisions' must be an object")
    return raw  # the runtime checks each decision and names the one that is wrong


@endpoint
async def conclude(request: web.Request, who: Identity) -> web.StreamResponse:
    """Conclude: draft the minutes and ask for approval; {"decisions"?: {plan, review, ...}}."""
    body = await _body(request)
    url = await actions(request).conclude(_id(request), who.user, _decisions(body))
    return web.json_response({"minutes_url": url})


async def _approve_minutes(request: web.Request, who: Identity) -> web.StreamResponse:
    """Approve the minutes, as the conference's chair or an admin."""
    return web.json_response(
        await actions(request).approve_minutes(_id(request), who.user, who.role)
    )


# Not the staff-only default: the chair may approve their own conference's minutes.
approve_minutes = endpoint(_approve_minutes, roles=("admin", "mts", "chair"))


@endpoint
async def approve_distribution(request: web.Request, who: Identity) -> web.StreamResponse:
    """A second admin checks and approves the minutes' distribution list."""
    result = await actions(request).approve_distribution(
        _id(request), "minutes", who.user, who.role
    )
    return web.json_response(result)


@endpoint
async def distribution(request: web.Request, _who: Identity) -> web.StreamResponse:
    """The minutes' distribution list, for the second admin to check before approving it."""
    return web.json_response(await actions(request).distribution_status(_id(request)))


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
