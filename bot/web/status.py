"""The status pages' shared parts: templates, time display, app keys, and mounting it all."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from bot.core.conference import Conference
from bot.core.errors import NotFound
from bot.core.minutes.children import initials_of
from bot.store.queries import StatusQueries
from bot.web.auth import Identity
from bot.web.health import DATABASE_KEY
from bot.web.progress import RiskMemo, TimelineCache, split_step_id
from bot.web.security import UserRole, config, csrf_token, role_of

LONDON = ZoneInfo("Europe/London")
STATIC = Path(__file__).parent / "static"
LIVE_HEADER = "X-Live"  # asks for the live part of a page only, for the live update script

T = TypeVar("T")


def london(value: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """A UTC time as people in England read it."""
    if value is None:
        return "not set"
    return value.astimezone(LONDON).strftime(fmt)


def words(value: object) -> str:
    """An enum or snake_case value as words: ``awaiting_format`` -> ``awaiting format``."""
    text = str(getattr(value, "value", value))
    return text.replace("_", " ")


def duration(value: timedelta | None) -> str:
    """A duration in plain words, or "unknown"."""
    if value is None:
        return "unknown"
    seconds = int(value.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 7200:
        return f"{seconds // 60} minutes"
    return f"{seconds // 3600} hours"


def step_name(recorded: str) -> str:
    """A recorded step id as people read it: ``c4:icpc.invites.teams:pack`` -> the step, action."""
    step, action = split_step_id(recorded)
    return f"{step} ({words(action)})" if action else step


QUERIES_KEY: web.AppKey[StatusQueries] = web.AppKey("status_queries", StatusQueries)
TIMELINES_KEY: web.AppKey[TimelineCache] = web.AppKey("timeline_cache", TimelineCache)
RISKS_KEY: web.AppKey[RiskMemo] = web.AppKey("risk_memo", RiskMemo)

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
TEMPLATES.filters["london"] = london
TEMPLATES.filters["words"] = words
TEMPLATES.filters["duration"] = duration
TEMPLATES.filters["step_name"] = step_name
# A child is shown as people write to them: "T.Q.", never a name.
TEMPLATES.filters["initials"] = initials_of

NAV: tuple[tuple[str, str, frozenset[UserRole]], ...] = (
    ("/", "Today", frozenset({UserRole.ADMIN, UserRole.MTS, UserRole.MANAGER})),
    ("/conferences", "Conferences", frozenset(UserRole)),
    ("/triage", "Triage", frozenset({UserRole.ADMIN, UserRole.MTS})),
    ("/capacity", "Capacity", frozenset({UserRole.ADMIN, UserRole.MTS, UserRole.MANAGER})),
    ("/audit", "Who viewed what", frozenset({UserRole.ADMIN})),
    ("/subject-access", "Subject access", frozenset({UserRole.ADMIN})),
)


def queries(request: web.Request) -> StatusQueries:
    """The read side: the status queries bot.app wired, or ones over the probed database."""
    app = request.app
    found = app.get(QUERIES_KEY)
    return found if found is not None else StatusQueries(app[DATABASE_KEY])


def timelines(request: web.Request) -> TimelineCache:
    """The shared timeline cache."""
    return request.app[TIMELINES_KEY]


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a synchronous store call off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


def render(
    request: web.Request,
    name: str,
    identity: Identity | None,
    *,
    status: int = 200,
    **context: object,
) -> web.Response:
    """Render a page, or only its ``live`` block when the live update script asks for it."""
    template = TEMPLATES.get_template(name)
    role = role_of(identity) if identity else None
    context.update(
        identity=identity,
        role=role.value if role else "",
        nav=[(href, label) for href, label, roles in NAV if role in roles],
        csrf=csrf_token(request) if identity else "",
        path=request.path,
    )
    if request.headers.get(LIVE_HEADER) == "1" and "live" in template.blocks:
        text = "".join(template.blocks["live"](template.new_context(context)))
    else:
        text = template.render(**context)
    response = web.Response(text=text, status=status, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


async def load_visible(request: web.Request, identity: Identity) -> Conference:
    """The conference in the URL, if this person may see it; otherwise 404."""
    try:
        conference_id = int(request.match_info["conference_id"])
        conference = await in_thread(queries(request).conference, conference_id)
    except (ValueError, NotFound):
        raise web.HTTPNotFound(text="There is no such conference.") from None
    seen = config(request).chairs_seen_by(identity.user)
    if role_of(identity) is UserRole.CHAIR and (conference.chair or "").lower() not in seen:
        # A chair sees their own conferences only; say "not found" so nothing leaks.
        raise web.HTTPNotFound(text="There is no such conference.")
    return conference
