"""The triage queue: requests confbot could not read, shown safely, and resolved by a person."""

from __future__ import annotations

import logging

from aiohttp import web
from markupsafe import Markup

from bot.core.conference import ConferenceType, TriageItem
from bot.core.errors import NotFound
from bot.core.reference import find_references
from bot.store.queries import StoredRequest
from bot.web.actions import ACTIONS_KEY, ActionRefused, Actions
from bot.web.sanitise import clean_html, plain_text
from bot.web.security import STAFF, require
from bot.web.status import in_thread, queries, render

logger = logging.getLogger(__name__)


async def triage_list(request: web.Request) -> web.StreamResponse:
    """Open triage items, oldest first, with their reasons."""
    identity = require(request, STAFF)
    items = await in_thread(queries(request).triage_items)
    return render(request, "triage_list.html", identity, items=items)


async def _item(request: web.Request) -> tuple[TriageItem, StoredRequest]:
    try:
        item_id = int(request.match_info["item_id"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such triage item.") from None
    item = await in_thread(queries(request).triage_item, item_id)
    if item is None:
        raise web.HTTPNotFound(text="There is no such triage item.")
    try:
        mail = await in_thread(queries(request).request_email, item.request_id)
    except NotFound:
        raise web.HTTPNotFound(text="The request email for this item is missing.") from None
    return item, mail


async def triage_detail(
    request: web.Request, *, error: str | None = None, status: int = 200
) -> web.StreamResponse:
    """One item: the original message rendered safely, the reasons, and what to do with it."""
    identity = require(request, STAFF)
    item, mail = await _item(request)
    body, subject = mail.body, mail.subject
    safe = clean_html(body) if mail.body_type == "html" else plain_text(body)
    guess = next(
        (t for t in ConferenceType if t.value in subject.upper().split()), ConferenceType.ICPC
    )
    return render(
        request,
        "triage_item.html",
        identity,
        status=status,
        item=item,
        mail=mail,
        body=Markup(safe),  # noqa: S704 - built by clean_html from allow-listed tags only
        references=find_references(subject + " " + body),
        types=list(ConferenceType),
        guess=guess,
        # Only the council's own playbooks: the ones this service runs.
        playbooks=actions.playbook_names() if (actions := _actions(request)) else [],
        error=error,
    )


def _actions(request: web.Request) -> Actions | None:
    return request.app.get(ACTIONS_KEY)


async def resolve(request: web.Request) -> web.StreamResponse:
    """Close an item with a note of what was done."""
    identity = require(request, STAFF)
    item, _mail = await _item(request)
    form = await request.post()
    actions = _actions(request)
    if actions is None:
        return await triage_detail(request, error="confbot is still starting.", status=503)
    try:
        await actions.resolve_triage(item.id, identity.user, str(form.get("resolution", "")))
    except ActionRefused as err:
        return await triage_detail(request, error=_sentence(str(err)), status=400)
    raise web.HTTPSeeOther("/triage?resolved=1")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


async def create_conference(request: web.Request) -> web.StreamResponse:
    """Make a conference from an item, with the fields a person checked, and close the item."""
    identity = require(request, STAFF)
    item, _mail = await _item(request)
    form = await request.post()
    actions = _actions(request)
    if actions is None:
        return await triage_detail(request, error="confbot is still starting.", status=503)
    try:
        kind = ConferenceType(str(form.get("type", "")))
    except ValueError:
        return await triage_detail(request, error="Choose the type of conference.", status=400)
    playbook = str(form.get("playbook", ""))
    if playbook not in actions.playbook_names():
        return await triage_detail(request, error="Choose the council's playbook.", status=400)
    try:
        conference = await actions.create_from_triage(
            item.id,
            conference_type=kind,
            playbook=playbook,
            social_worker=str(form.get("social_worker", "")),
            by=identity.user,
        )
    except ActionRefused as err:
        return await triage_detail(request, error=_sentence(str(err)), status=409)
    raise web.HTTPSeeOther(f"/conferences/{conference.id}")


def add_routes(app: web.Application) -> None:
    """Mount the triage pages."""
    app.router.add_get("/triage", triage_list, name="triage")
    app.router.add_get(r"/triage/{item_id:\d+}", triage_detail, name="triage_item")
    app.router.add_post(r"/triage/{item_id:\d+}/resolve", resolve)
    app.router.add_post(r"/triage/{item_id:\d+}/create", create_conference)
