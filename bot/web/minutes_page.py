"""The minutes' approval page: the draft as it stands, its Word file, the list it goes to.

The chair of the conference, or the admin team, approves the draft or sends it back with
comments; where the playbook asks for a peer check, a second admin then approves the
distribution list. Managers may read the page. Every form is CSRF-checked and works
without script; each acts through the one facade, as the JSON API does.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.core.actions import (
    APPROVE_DISTRIBUTION,
    APPROVE_MINUTES,
    Actor,
    PlaybookFacts,
    allowed_actions,
    refusal,
)
from bot.core.minutes.model import Minutes
from bot.core.minutes.progress import minutes_progress
from bot.web.actions import ActionRefused, http_error
from bot.web.api import actions
from bot.web.pages import now_utc
from bot.web.security import EVERYONE, UserRole, require, role_of
from bot.web.status import in_thread, load_visible, queries, render

logger = logging.getLogger(__name__)

ACTING = frozenset({UserRole.ADMIN, UserRole.MTS, UserRole.CHAIR})
NOTICES = {
    "approved": "The minutes are approved.",
    "sent-back": "The minutes were sent back with your comments.",
    "checked": "The distribution list is approved.",
}


async def minutes_page(
    request: web.Request, *, error: str | None = None, status: int = 200
) -> web.StreamResponse:
    """The draft minutes, their state and distribution list, and the approval forms."""
    identity = require(request, EVERYONE)
    conference = await load_visible(request, identity)
    entries = await in_thread(queries(request).timeline, conference.id)
    progress = minutes_progress(entries)
    facade = actions(request)
    minutes: Minutes | None = None
    problem = ""
    distribution: dict[str, object] = {}
    if progress.url:
        try:
            minutes, distribution = await asyncio.gather(
                facade.minutes_draft(conference.id), facade.distribution_status(conference.id)
            )
        except ActionRefused as err:
            problem = str(err)
    role = role_of(identity)
    actor = Actor(identity.user, role.value)
    # Who may act is the same rule the API applies; the facts about the playbook are not
    # needed for these two actions.
    options = allowed_actions(
        conference, PlaybookFacts(True), entries, now_utc(request), actor=actor
    )
    return render(
        request,
        "minutes.html",
        identity,
        status=status,
        conference=conference,
        progress=progress,
        minutes=minutes,
        problem=problem,
        distribution=distribution,
        may_approve=role in ACTING and refusal(options, APPROVE_MINUTES) is None,
        approve_refused=refusal(options, APPROVE_MINUTES) or "",
        may_check=refusal(options, APPROVE_DISTRIBUTION) is None,
        error=error,
        notice=NOTICES.get(request.query.get("done", "")),
    )


def _words(err: Exception) -> str:
    found = http_error(err)
    if found is None:
        raise err
    return found[1][:1].upper() + found[1][1:]


def _back(conference_id: int, done: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/conferences/{conference_id}/minutes?done={done}")


async def approve(request: web.Request) -> web.StreamResponse:
    """Approve the draft minutes."""
    identity = require(request, ACTING)
    conference = await load_visible(request, identity)
    try:
        await actions(request).approve_minutes(
            conference.id, identity.user, role_of(identity).value
        )
    except Exception as err:
        return await minutes_page(request, error=_words(err), status=409)
    logger.info("minutes approved on their page", extra={"conference_id": conference.id})
    raise _back(conference.id, "approved")


async def send_back(request: web.Request) -> web.StreamResponse:
    """Send the draft back with comments instead of approving it."""
    identity = require(request, ACTING)
    conference = await load_visible(request, identity)
    form = await request.post()
    try:
        await actions(request).send_back_minutes(
            conference.id, identity.user, role_of(identity).value, str(form.get("comments", ""))
        )
    except Exception as err:
        return await minutes_page(request, error=_words(err), status=400)
    raise _back(conference.id, "sent-back")


async def approve_distribution(request: web.Request) -> web.StreamResponse:
    """A second admin has checked the distribution list and approves it."""
    identity = require(request, ACTING)
    conference = await load_visible(request, identity)
    try:
        await actions(request).approve_distribution(
            conference.id, "minutes", identity.user, role_of(identity).value
        )
    except Exception as err:
        return await minutes_page(request, error=_words(err), status=409)
    raise _back(conference.id, "checked")


def add_routes(app: web.Application) -> None:
    """Mount the minutes page and its forms."""
    base = r"/conferences/{conference_id:\d+}/minutes"
    app.router.add_get(base, minutes_page)
    app.router.add_post(base + "/approve", approve)
    app.router.add_post(base + "/send-back", send_back)
    app.router.add_post(base + "/distribution", approve_distribution)
