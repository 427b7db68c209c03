"""The triage queue: requests confbot could not read, shown safely, and resolved by a person."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from markupsafe import Markup

from bot.core.conference import ConferenceType, TriageItem
from bot.core.errors import NotFound
from bot.core.reference import find_references
from bot.intake.draft import DraftRefused
from bot.store.queries import StoredRequest
from bot.web.actions import ACTIONS_KEY, ActionRefused, Actions
from bot.web.sanitise import clean_html, plain_text
from bot.web.security import STAFF, require
from bot.web.status import in_thread, queries, render
from bot.web.triage_form import (
    FORMATS,
    PERSON_ROLES,
    draft_from_form,
    has_draft_fields,
    problems_by_field,
    references_text,
    start_text,
    with_blank_rows,
)

logger = logging.getLogger(__name__)


async def triage_list(request: web.Request) -> web.StreamResponse:
    """Open triage items, oldest first, with their reasons."""
    identity = require(request, STAFF)
    items = await in_thread(queries(request).triage_items)
    return render(
        request,
        "triage_list.html",
        identity,
        items=[i for i in items if i.kind != "threshold"],
        thresholds=[i for i in items if i.kind == "threshold"],
    )


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
    request: web.Request,
    *,
    error: str | None = None,
    status: int = 200,
    draft: Mapping[str, Any] | None = None,
    problems: Any = None,
    playbook: str = "",
) -> web.StreamResponse:
    """One item: the email rendered safely beside a form pre-filled with what was read."""
    identity = require(request, STAFF)
    item, mail = await _item(request)
    body, subject = mail.body, mail.subject
    safe = clean_html(body) if mail.body_type == "html" else plain_text(body)
    shown = with_blank_rows(draft if draft is not None else item.draft)
    read_type = shown.get("conference_type")
    guess = next(
        (t for t in ConferenceType if t.value == read_type or t.value in subject.upper().split()),
        ConferenceType.ICPC,
    )
    if item.kind == "threshold":
        guess = ConferenceType.ICPC  # "Make an ICPC request" is the one action it needs
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
        draft=shown,
        errors=problems_by_field(problems if problems is not None else item.problems),
        roles=PERSON_ROLES,
        formats=FORMATS,
        references_text=references_text,
        start_text=start_text,
        sources=item.sources,
        chosen_playbook=playbook,
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
    playbook = str(form.get("playbook", ""))
    if has_draft_fields(form):
        return await _create_from_draft(request, item, form, playbook, identity.user)
    try:
        kind = ConferenceType(str(form.get("type", "")))
    except ValueError:
        return await triage_detail(request, error="Choose the type of conference.", status=400)
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


async def _create_from_draft(
    request: web.Request, item: TriageItem, form: Mapping[str, Any], playbook: str, by: str
) -> web.StreamResponse:
    """Book what a person corrected; show each problem beside its field, keeping what was typed.

    A threshold discussion's one action is "Make an ICPC request": its type is ICPC whatever
    was posted.
    """
    actions = _actions(request)
    assert actions is not None
    draft = draft_from_form(form)
    force = ConferenceType.ICPC if item.kind == "threshold" else None
    if force is not None:
        draft["conference_type"] = force.value
    try:
        conference = await actions.create_from_draft(
            item.id, draft, playbook=playbook, by=by, force_type=force
        )
    except DraftRefused as err:
        problems = [p.as_json() for p in err.problems]
        return await triage_detail(
            request,
            error="The request is not complete yet: correct the fields marked below.",
            status=400,
            draft=draft,
            problems=problems,
            playbook=playbook,
        )
    except ActionRefused as err:
        return await triage_detail(
            request, error=_sentence(str(err)), status=409, draft=draft, playbook=playbook
        )
    raise web.HTTPSeeOther(f"/conferences/{conference.id}")


def add_routes(app: web.Application) -> None:
    """Mount the triage pages."""
    app.router.add_get("/triage", triage_list, name="triage")
    app.router.add_get(r"/triage/{item_id:\d+}", triage_detail, name="triage_item")
    app.router.add_post(r"/triage/{item_id:\d+}/resolve", resolve)
    app.router.add_post(r"/triage/{item_id:\d+}/create", create_conference)
