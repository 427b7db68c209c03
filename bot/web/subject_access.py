"""Subject access for admins: the same export as `confbot subject-access`, from the browser.

``GET /api/subject-access?email=...`` (or ``phone``, ``name``, ``case_reference``) answers
the JSON; ``&format=html`` gives the readable report as a file to save. The ``/subject-access``
page has the form. Each conference an export opens is noted in the view audit.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web

from bot.core.subject_report import render_report
from bot.web.audit import ADMINS, record_view
from bot.web.auth import Identity
from bot.web.security import require
from bot.web.status import render

LOOKUPS = ("email", "phone", "name", "case_reference")


class SubjectBook(Protocol):
    """The store's subject access (``bot.store.subject.SubjectAccess``)."""

    def export_by(self, by: str, value: str) -> dict[str, Any]:
        """Everything held about one person."""


SUBJECT_KEY: web.AppKey[SubjectBook] = web.AppKey("subject_access")


def _lookup(request: web.Request) -> tuple[str, str] | str:
    given = [(by, request.query.get(by, "").strip()) for by in LOOKUPS]
    chosen = [(by, value) for by, value in given if value]
    if len(chosen) != 1:
        return "Give one of: email, phone, name or case_reference."
    return chosen[0]


async def _export(request: web.Request, identity: Identity, by: str, value: str) -> dict[str, Any]:
    book = request.app.get(SUBJECT_KEY)
    if book is None:
        raise web.HTTPServiceUnavailable(text="confbot is still starting")
    export = await asyncio.to_thread(book.export_by, by, value)
    for conference in export["conferences"]:
        await record_view(request, identity, conference["conference_id"], "subject_access")
    return export


async def api_subject_access(request: web.Request) -> web.StreamResponse:
    """Everything held about one person: ?email=, ?phone=, ?name= or ?case_reference=."""
    identity = require(request, ADMINS)
    lookup = _lookup(request)
    if isinstance(lookup, str):
        return web.json_response({"error": lookup}, status=400)
    export = await _export(request, identity, *lookup)
    if request.query.get("format") == "html":
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return web.Response(
            text=render_report(export),
            content_type="text/html",
            headers={"Content-Disposition": f'attachment; filename="subject-access-{stamp}.html"'},
        )
    return web.json_response(export)


async def subject_access_page(request: web.Request) -> web.StreamResponse:
    """The form, and what the export found, with links to save it as JSON or HTML."""
    identity = require(request, ADMINS)
    export: dict[str, Any] | None = None
    error = ""
    if any(request.query.get(by, "").strip() for by in LOOKUPS):
        lookup = _lookup(request)
        if isinstance(lookup, str):
            error = lookup
        else:
            export = await _export(request, identity, *lookup)
    return render(
        request,
        "subject_access.html",
        identity,
        status=400 if error else 200,
        export=export,
        error=error,
        query=request.query_string,
        args=request.query,
    )


def add_routes(app: web.Application) -> None:
    """Mount the API and the page."""
    app.router.add_get("/api/subject-access", api_subject_access)
    app.router.add_get("/subject-access", subject_access_page, name="subject_access")
