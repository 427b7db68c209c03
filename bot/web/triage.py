"""The triage queue: requests confbot could not read, shown safely, and resolved by a person."""

from __future__ import annotations

import logging

from aiohttp import web
from markupsafe import Markup

from bot.core.conference import ConferenceState, ConferenceType, Role, TriageItem
from bot.core.errors import NotFound
from bot.core.reference import find_references
from bot.store.repository import NewParticipant, StoredRequest
from bot.web.progress import bundled_playbooks
from bot.web.sanitise import clean_html, plain_text
from bot.web.security import STAFF, require
from bot.web.status import REPOSITORY_KEY, in_thread, queries, render

logger = logging.getLogger(__name__)

MAX_RESOLUTION = 2000


async def triage_list(request: web.Request) -> web.StreamResponse:
    """Open triage items, oldest first, with their reasons."""
    identity = require(request, STAFF)
    items = await in_thread(request.app[REPOSITORY_KEY].list_triage)
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
        mail = await in_thread(request.app[REPOSITORY_KEY].get_request, item.request_id)
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
        playbooks=sorted(bundled_playbooks()),
        error=error,
    )


async def resolve(request: web.Request) -> web.StreamResponse:
    """Close an item with a note of what was done."""
    identity = require(request, STAFF)
    item, _mail = await _item(request)
    form = await request.post()
    note = str(form.get("resolution", "")).strip()
    if not note:
        return await triage_detail(request, error="Say what you did with this request.", status=400)
    await in_thread(
        request.app[REPOSITORY_KEY].resolve_triage,
        item.id,
        by=identity.user,
        resolution=note[:MAX_RESOLUTION],
    )
    logger.info("triage item resolved", extra={"triage_id": item.id})
    raise web.HTTPSeeOther("/triage?resolved=1")


async def create_conference(request: web.Request) -> web.StreamResponse:
    """Make a conference from an item, with the fields a person checked, and close the item."""
    identity = require(request, STAFF)
    item, _mail = await _item(request)
    form = await request.post()
    try:
        kind = ConferenceType(str(form.get("type", "")))
    except ValueError:
        return await triage_detail(request, error="Choose the type of conference.", status=400)
    playbook = str(form.get("playbook", ""))
    if playbook not in bundled_playbooks():
        return await triage_detail(request, error="Choose the council's playbook.", status=400)
    worker = str(form.get("social_worker", "")).strip()
    participants = [NewParticipant(role=Role.SOCIAL_WORKER, name=worker)] if worker else []
    repository = request.app[REPOSITORY_KEY]
    conference = await in_thread(
        lambda: repository.create_conference(
            playbook=playbook,
            conference_type=kind,
            participants=participants,
            state=ConferenceState.REQUESTED,
        )
    )
    request_id = item.request_id
    await in_thread(repository.set_request_outcome, request_id, "parsed", conference.id)
    await in_thread(
        repository.append_timeline,
        conference.id,
        actor=identity.user,
        kind="created_from_triage",
        detail={"triage_id": item.id},
    )
    await in_thread(
        repository.resolve_triage,
        item.id,
        by=identity.user,
        resolution=f"Conference {conference.reference} created.",
    )
    raise web.HTTPSeeOther(f"/conferences/{conference.id}")


def add_routes(app: web.Application) -> None:
    """Mount the triage pages."""
    app.router.add_get("/triage", triage_list, name="triage")
    app.router.add_get(r"/triage/{item_id:\d+}", triage_detail, name="triage_item")
    app.router.add_post(r"/triage/{item_id:\d+}/resolve", resolve)
    app.router.add_post(r"/triage/{item_id:\d+}/create", create_conference)
