"""Triage: a person turns a request confbot could not read into a conference, or closes it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.core.conference import Conference, ConferenceState, ConferenceType, Role
from bot.core.errors import ActionRefused, NotFound
from bot.intake.draft import DraftProblems, DraftRefused, Problem, request_of
from bot.runtime.context import Runtime
from bot.runtime.intake import create_from_request
from bot.store.repository import NewParticipant

logger = logging.getLogger(__name__)

MAX_RESOLUTION = 2000


def _item(rt: Runtime, item_id: int, *, open_only: bool) -> int:
    """The request id of a triage item (an open one, where ``open_only``)."""
    item = next((i for i in rt.store.list_triage(state=None) if i.id == item_id), None)
    if item is None:
        raise NotFound("triage item", item_id)
    if open_only and item.state != "open":
        raise ActionRefused("this triage item has already been resolved")
    return item.request_id


def resolve(rt: Runtime, item_id: int, *, by: str, note: str) -> None:
    """Close an item with a note of what was done (a later note replaces an earlier one)."""
    _item(rt, item_id, open_only=False)
    text = note.strip()
    if not text:
        raise ActionRefused("say what you did with this request")
    rt.store.resolve_triage(item_id, by=by, resolution=text[:MAX_RESOLUTION])
    logger.info("triage item resolved", extra={"triage_id": item_id})


def create_conference(
    rt: Runtime,
    item_id: int,
    *,
    conference_type: ConferenceType,
    playbook: str,
    social_worker: str,
    by: str,
) -> Conference:
    """Make a conference from an item, with what a person checked, and close the item."""
    request_id = _item(rt, item_id, open_only=True)
    if playbook not in rt.playbooks:
        raise ActionRefused(
            f"choose one of the council's playbooks ({', '.join(rt.playbooks.names())})"
        )
    if conference_type not in rt.playbooks.current(playbook).conferences:
        raise ActionRefused(f"the {playbook} playbook has no {conference_type.value} process")
    mail = rt.store.get_request(request_id)
    worker = social_worker.strip()
    participants = [NewParticipant(role=Role.SOCIAL_WORKER, name=worker)] if worker else []
    conference = rt.store.create_conference(
        playbook=playbook,
        playbook_version=rt.playbooks.version(playbook),
        mailbox=mail.mailbox or None,
        conference_type=conference_type,
        participants=participants,
        state=ConferenceState.REQUESTED,
    )
    rt.store.set_request_outcome(request_id, "parsed", conference.id)
    rt.record(conference.id, by, "created_from_triage", triage_id=item_id)
    rt.store.resolve_triage(
        item_id, by=by, resolution=f"Conference {conference.reference} created."
    )
    return conference


async def create_from_draft(
    rt: Runtime,
    item_id: int,
    draft: Mapping[str, Any],
    *,
    playbook: str,
    by: str,
    force_type: ConferenceType | None = None,
) -> Conference:
    """Make the conference a person corrected on the triage form, as an email would have.

    ``force_type`` makes a threshold discussion an ICPC request with one action.
    """
    request_id = _item(rt, item_id, open_only=True)
    if playbook not in rt.playbooks:
        raise ActionRefused(
            f"choose one of the council's playbooks ({', '.join(rt.playbooks.names())})"
        )
    if force_type is not None:
        draft = {**draft, "conference_type": force_type.value}
    try:
        request = request_of(draft)
    except DraftProblems as err:
        raise DraftRefused(err.problems) from None
    if request.conference_type not in rt.playbooks.current(playbook).conferences:
        raise DraftRefused(
            (
                Problem(
                    "conference_type",
                    f"the {playbook} playbook has no {request.conference_type.value} process",
                ),
            )
        )
    stored = rt.store.get_request(request_id)
    conference = await create_from_request(
        rt, stored, request, playbook=playbook, mailbox=stored.mailbox or None
    )
    rt.record(conference.id, by, "created_from_triage", triage_id=item_id)
    rt.store.resolve_triage(
        item_id, by=by, resolution=f"Conference {conference.reference} created."
    )
    return conference
