"""Need to know: each view of a conference is recorded, and admins can see who looked.

The record says who, with which role, when, which conference and what was opened (the
page, the chair console, its live updates, the API). It holds no content. ``GET /api/audit``
and the ``/audit`` page query it: admins only.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Protocol

from aiohttp import web

from bot.core.access import ViewRecord
from bot.web.auth import Identity
from bot.web.security import UserRole, require
from bot.web.status import render

logger = logging.getLogger(__name__)

ADMINS = frozenset({UserRole.ADMIN})
SHOWN = 200


class AuditBook(Protocol):
    """The store's view audit (``bot.store.audit.ViewAudit``)."""

    def record(self, user: str, role: str, conference_id: int, what: str) -> None:
        """Note one view, now."""

    def views(
        self,
        *,
        conference_id: int | None = None,
        user: str | None = None,
        since: datetime | None = None,
        limit: int = ...,
    ) -> list[ViewRecord]:
        """Views, newest first."""


AUDIT_KEY: web.AppKey[AuditBook] = web.AppKey("view_audit")


async def record_view(
    request: web.Request, identity: Identity, conference_id: int, what: str
) -> None:
    """Note that ``identity`` viewed the conference; a failure is logged, never shown."""
    book = request.app.get(AUDIT_KEY)
    if book is None:
        return
    try:
        await asyncio.to_thread(
            book.record, identity.user.lower(), identity.role, conference_id, what
        )
    except Exception:  # the view must still be served; the log line says it went unrecorded
        logger.exception("a view was not recorded", extra={"conference_id": conference_id})


class _BadQuery(Exception):
    pass


async def _query(request: web.Request) -> list[ViewRecord]:
    book = request.app.get(AUDIT_KEY)
    if book is None:
        raise web.HTTPServiceUnavailable(text="confbot is still starting")
    args = request.query
    conference = args.get("conference", "").strip()
    since_text = args.get("since", "").strip()
    if conference and not conference.isdigit():
        raise _BadQuery("'conference' must be a conference id (a number)")
    try:
        since = datetime.fromisoformat(since_text) if since_text else None
    except ValueError as err:
        raise _BadQuery("'since' must be an ISO 8601 date or date and time") from err
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)  # a bare date or time is read as UTC
    return await asyncio.to_thread(
        book.views,
        conference_id=int(conference) if conference else None,
        user=args.get("user", "").strip() or None,
        since=since,
    )


def _json(view: ViewRecord) -> dict[str, object]:
    return {
        "at": view.at.isoformat(),
        "user": view.user,
        "role": view.role,
        "conference_id": view.conference_id,
        "what": view.what,
    }


async def api_audit(request: web.Request) -> web.StreamResponse:
    """Who viewed which conference, newest first: ?conference=ID, ?user=, ?since=ISO date."""
    require(request, ADMINS)
    try:
        views = await _query(request)
    except _BadQuery as err:
        return web.json_response({"error": str(err)}, status=400)
    return web.json_response({"views": [_json(v) for v in views]})


async def audit_page(request: web.Request) -> web.StreamResponse:
    """The view audit as a page, with the same filters as the API."""
    identity = require(request, ADMINS)
    error = ""
    try:
        views = await _query(request)
    except _BadQuery as err:
        views, error = [], str(err)
    return render(
        request,
        "audit.html",
        identity,
        status=400 if error else 200,
        views=views[:SHOWN],
        total=len(views),
        args=request.query,
        error=error,
    )


def add_routes(app: web.Application) -> None:
    """Mount ``GET /api/audit`` and the ``/audit`` page."""
    app.router.add_get("/api/audit", api_audit)
    app.router.add_get("/audit", audit_page, name="audit")
