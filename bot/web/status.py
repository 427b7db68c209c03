"""The admins' status page (the overview). Server-rendered; every view needs a sign-in."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from bot.core.conference import ConferenceState
from bot.store.repository import Repository
from bot.web.auth import current_identity

LONDON = ZoneInfo("Europe/London")


def london(value: datetime | None) -> str:
    """A UTC time as people in England read it."""
    if value is None:
        return "not set"
    return value.astimezone(LONDON).strftime("%a %d %b %Y, %H:%M")


REPOSITORY_KEY: web.AppKey[Repository] = web.AppKey("repository", Repository)
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
TEMPLATES.filters["london"] = london


def _page(name: str, **context: object) -> web.Response:
    response = web.Response(
        text=TEMPLATES.get_template(name).render(**context), content_type="text/html"
    )
    # Pages can carry personal data: never cache them.
    response.headers["Cache-Control"] = "no-store"
    return response


async def overview(request: web.Request) -> web.StreamResponse:
    """Counts by state, the triage queue and the newest conferences."""
    if current_identity(request) is None:
        raise web.HTTPFound("/signin")
    repository = request.app[REPOSITORY_KEY]
    counts = await asyncio.to_thread(repository.count_by_state)
    triage = await asyncio.to_thread(repository.list_triage)
    recent = await asyncio.to_thread(repository.list_conferences, limit=20)
    return _page(
        "overview.html",
        states=list(ConferenceState),
        counts=counts,
        triage_count=len(triage),
        conferences=recent,
    )


def add_routes(app: web.Application) -> None:
    """Mount the status pages."""
    app.router.add_get("/", overview)
