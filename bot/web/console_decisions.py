"""The chair console's decision forms, one per child, and concluding the conference.

Kept out of the live part of the console: a prompt arriving must not wipe a form the chair
is filling in. Each form is an ordinary CSRF-checked POST, so it works without script.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.conference import Conference
from bot.core.decisions import CHILD_FIELDS, DecisionSheet
from bot.core.errors import NotFound
from bot.core.minutes.text import long_date
from bot.web.actions import ACTIONS_KEY, http_error
from bot.web.api import actions
from bot.web.auth import Identity
from bot.web.status import TEMPLATES

logger = logging.getLogger(__name__)
# "Thursday 24 December 2026": the decision forms and the minutes page name days this way.
TEMPLATES.filters["long_date"] = long_date


async def decision_sheet(request: web.Request, conference: Conference) -> DecisionSheet | None:
    """The decision forms for the console, or None before the conference is booked."""
    if conference.start_at is None or conference.meeting_format is None:
        return None
    if ACTIONS_KEY not in request.app:
        return None  # a console mounted without the runtime's actions (some tests)
    try:
        return await actions(request).decision_sheet(conference.id)
    except NotFound:
        return None


def _refusal(err: Exception) -> str:
    found = http_error(err)
    if found is None:
        raise err
    text = found[1]
    return text[:1].upper() + text[1:]


# The console's own helpers, handed in by ``bot.web.console`` (which imports this module).
Load = Callable[[web.Request], Awaitable[tuple[Identity, Conference]]]
Page = Callable[..., Awaitable[web.StreamResponse]]
Base = Callable[[web.Request, int], str]


def add_routes(app: web.Application, load: Load, page: Page, base_of: Base) -> None:
    """Mount the decision and conclude forms under both of the console's paths."""

    async def record_decision(request: web.Request) -> web.StreamResponse:
        """The chair saved one child's decision."""
        identity, conference = await load(request)
        form = await request.post()
        try:
            child_id = int(str(form.get("child", "")))
        except ValueError:
            return await page(request, error="Choose the child to record a decision for.")
        raw: dict[str, object] = {
            name: str(form[name]).strip()
            for name in CHILD_FIELDS
            if str(form.get(name, "")).strip()
        }
        try:
            await actions(request).record_decision(conference.id, child_id, raw, identity.user)
        except Exception as err:
            return await page(request, error=_refusal(err), status=400)
        logger.info(
            "decision recorded in the console",
            extra={"conference_id": conference.id, "role": identity.role},
        )
        raise web.HTTPSeeOther(f"{base_of(request, conference.id)}#decision-{child_id}")

    async def conclude(request: web.Request) -> web.StreamResponse:
        """The chair concluded the conference: the minutes are drafted; on to their approval."""
        identity, conference = await load(request)
        try:
            await actions(request).conclude(conference.id, identity.user)
        except Exception as err:
            return await page(request, error=_refusal(err), status=409)
        logger.info("concluded from the console", extra={"conference_id": conference.id})
        raise web.HTTPSeeOther(f"/conferences/{conference.id}/minutes")

    for base in (r"/conferences/{conference_id:\d+}/console", r"/console/{conference_id:\d+}"):
        app.router.add_post(base + "/decision", record_decision)
        app.router.add_post(base + "/conclude", conclude)
