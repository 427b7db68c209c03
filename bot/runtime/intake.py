"""From a request email to a conference, a triage item, or a document on an existing conference.

Each mailbox routes its requests to a playbook (by conference type where it says so).

Each message is recorded first, by its immutable Graph id, so a replay or a crash never
loses it and never handles it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.conference import Conference, ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.errors import ActionRefused
from bot.core.mailbox import InboundMessage, OutgoingMail, RequestMailbox
from bot.core.playbook.intake import IntakeVocabulary
from bot.core.playbook.model import Playbook
from bot.core.playbook.terms import BookFromRequest
from bot.core.request import ConferenceRequest
from bot.intake.outcome import AttachToConference, Parsed, ThresholdDiscussion, Triage
from bot.intake.parser import parse_message
from bot.runtime import letters
from bot.runtime.allocation import allocate
from bot.runtime.booking import FormatDecision, send_letters_due, set_format
from bot.runtime.context import SYSTEM, Runtime, rule_role
from bot.runtime.request_records import children_of, facts_of, participants_of
from bot.store.repository import StoredRequest

logger = logging.getLogger(__name__)

PROCESSED = "confbot: processed"


@dataclass(frozen=True, slots=True)
class Handled:
    """What became of one message: ``conference``, ``triage``, ``attached`` or ``replay``."""

    outcome: str
    request_id: int
    conference_id: int | None = None


def books_from_request(playbook: Playbook, conference_type: ConferenceType) -> bool:
    """Whether a request that names chair, format and start is booked as it arrives."""
    return (
        playbook.book_from_request_for(conference_type)
        is BookFromRequest.WHEN_CHAIR_AND_FORMAT_GIVEN
    )


async def handle_message(rt: Runtime, msg: InboundMessage, mailbox: RequestMailbox) -> Handled:
    """Handle one message of ``mailbox`` exactly once, however often it is delivered."""
    store = rt.store
    if PROCESSED in msg.categories and store.find_request(msg.id) is not None:
        # Our own category change brings the message back through delta: nothing to do.
        return Handled("replay", 0)
    stored, _created = store.record_request(
        message_id=msg.id,
        mailbox=mailbox.address,
        received_at=msg.received_at,
        sender=msg.sender,
        subject=msg.subject,
        body=msg.body,
        body_type=msg.body_type,
        internet_message_id=msg.internet_message_id,
    )
    outcome = parse_message(msg, _vocabulary(rt, mailbox))
    if stored.outcome == "parsed" and stored.conference_id and isinstance(outcome, Parsed):
        # Handled before, perhaps only in part (a crash, a Graph outage): finish the rest.
        conference = store.get_conference(stored.conference_id)
        await _finish(rt, conference, stored, outcome.request)
        await _mark(rt, msg, mailbox)
        return Handled("replay", stored.id, stored.conference_id)
    if stored.outcome != "pending":
        if stored.outcome == "triage":
            # A threshold discussion whose notice never went (a Graph outage): send it now.
            await _notify_duty_chair(rt, stored, mailbox)
        await _mark(rt, msg, mailbox)
        return Handled("replay", stored.id, stored.conference_id)
    if isinstance(outcome, Parsed):
        handled = await _create(rt, stored, mailbox, outcome.request, outcome.warnings)
    elif isinstance(outcome, AttachToConference):
        handled = _attach(rt, stored, msg, outcome)
    elif isinstance(outcome, ThresholdDiscussion):
        handled = await _threshold(rt, stored, mailbox, outcome)
    else:
        handled = _triage(rt, stored, outcome.reasons, outcome)
    await _mark(rt, msg, mailbox)
    return handled


def _vocabulary(rt: Runtime, mailbox: RequestMailbox) -> IntakeVocabulary | None:
    """The council's own words for requests, from the mailbox's (first) playbook."""
    for name in mailbox.playbooks:
        if name in rt.playbooks:
            return rt.playbooks.current(name).intake
    return None


async def _mark(rt: Runtime, msg: InboundMessage, mailbox: RequestMailbox) -> None:
    # A category, not isRead: people read this mailbox too.
    await rt.graph.mark_processed(
        mailbox.address, msg.id, category=PROCESSED, known_categories=msg.categories
    )


async def _create(
    rt: Runtime,
    stored: StoredRequest,
    mailbox: RequestMailbox,
    request: ConferenceRequest,
    warnings: tuple[str, ...],
) -> Handled:
    name = mailbox.playbook_for(request.conference_type.value)
    if name is None:
        takes = ", ".join(kind for kind, _ in mailbox.by_type) or "none"
        return _triage(
            rt,
            stored,
            (
                f"this mailbox takes no {request.conference_type.value} requests "
                f"(it takes: {takes}); forward it to the right mailbox or create it by hand",
            ),
        )
    review = _open_review_for(rt, request)
    if review is not None:
        # The review confbot already made for this child (booked after the ICPC): the
        # request joins it rather than making a second one.
        rt.store.set_request_outcome(stored.id, "attached", review.id)
        rt.record(review.id, SYSTEM, "review_requested", request_id=stored.id)
        return Handled("attached", stored.id, review.id)
    playbook = rt.playbooks.current(name)
    if request.conference_type not in playbook.conferences:
        return _triage(
            rt,
            stored,
            (
                f"the {name} playbook has no {request.conference_type.value} process; "
                "check the conference type",
            ),
        )
    conference = await create_from_request(
        rt, stored, request, playbook=name, mailbox=mailbox.address, warnings=warnings
    )
    return Handled("conference", stored.id, conference.id)


async def create_from_request(
    rt: Runtime,
    stored: StoredRequest,
    request: ConferenceRequest,
    *,
    playbook: str,
    mailbox: str | None,
    warnings: tuple[str, ...] = (),
) -> Conference:
    """The one way a request becomes a conference: from an email, or from triage's form."""
    conference = rt.store.create_conference(
        playbook=playbook,
        playbook_version=rt.playbooks.version(playbook),
        mailbox=mailbox,
        conference_type=request.conference_type,
        participants=participants_of(request),
        children=children_of(request),
        strategy_discussion=request.strategy_discussion_date,
        facts=facts_of(request),
        request_id=stored.id,
    )
    rt.record(conference.id, SYSTEM, "requested", request_id=stored.id, warnings=list(warnings))
    await _finish(rt, conference, stored, request)
    return rt.store.get_conference(conference.id)


_OPEN = (
    ConferenceState.REQUESTED,
    ConferenceState.ALLOCATED,
    ConferenceState.AWAITING_FORMAT,
    ConferenceState.SCHEDULED,
)


def _open_review_for(rt: Runtime, request: ConferenceRequest) -> Conference | None:
    """An open RCPC confbot holds for one of the request's children, by case reference."""
    if request.conference_type is not ConferenceType.RCPC:
        return None
    references = [r.reference for c in request.children for r in c.case_references]
    found = rt.store.conferences_for_case(references, ConferenceType.RCPC)
    return next((c for c in found if c.state in _OPEN), None)


async def _finish(
    rt: Runtime, conference: Conference, stored: StoredRequest, request: ConferenceRequest
) -> None:
    # Both steps check the timeline or the state first, so running them again is safe.
    # The acknowledgement and any letters travel together in one $batch.
    async with rt.outbox.collecting():
        await _acknowledge(rt, conference, stored.sender)
        await _preset(rt, rt.store.get_conference(conference.id), request)


async def _acknowledge(rt: Runtime, conference: Conference, sender: str) -> None:
    if rt.store.has_step(conference.id, "acknowledgement", "acknowledged"):
        return
    subject, body = letters.acknowledgement(conference)
    mail = OutgoingMail(to=(sender,), subject=subject, html_body=body, purpose="acknowledge")
    await rt.outbox.send(
        conference,
        mail,
        {sender: Role.SOCIAL_WORKER},
        may_carry_link=False,
        after=lambda: rt.record(conference.id, SYSTEM, "acknowledged", step_id="acknowledgement"),
    )


async def _preset(rt: Runtime, conference: Conference, request: ConferenceRequest) -> None:
    """Where the playbook lets a request book itself, and it names chair, format and time."""
    chair, fmt, start = request.preferred_chair, request.preferred_format, request.preferred_start
    if not (chair and fmt and start):
        return
    if not books_from_request(rt.playbook(conference), conference.conference_type):
        # The chair decides: the request's preferences wait for MTS and the chair.
        if not rt.store.has_step(conference.id, "preset", "preset_held"):
            rt.record(
                conference.id,
                SYSTEM,
                "preset_held",
                step_id="preset",
                reason="the playbook says the chair decides the format",
            )
        return
    if conference.state is ConferenceState.SCHEDULED:
        # Booked on an earlier pass whose letters may never have gone (they travel in
        # this request's batch, sent after the booking is saved): send what is missing.
        await send_letters_due(rt, conference.id)
        return
    if conference.state not in (ConferenceState.REQUESTED, ConferenceState.AWAITING_FORMAT):
        return
    try:
        if conference.chair != chair:
            await allocate(rt, conference.id, chair, by="request")
        await set_format(rt, conference.id, FormatDecision(MeetingFormat(fmt), start), by="request")
    except ActionRefused as err:
        # Not an error in the request: the admin team finishes the booking by hand.
        rt.record(conference.id, SYSTEM, "preset_not_applied", reason=str(err))


def _attach(
    rt: Runtime, stored: StoredRequest, msg: InboundMessage, found: AttachToConference
) -> Handled:
    store = rt.store
    conference = store.find_conference(found.reference)
    if conference is None or conference.state is ConferenceState.CANCELLED:
        reason = (
            f"it quotes {found.reference}, which is not a conference"
            if conference is None
            else f"it quotes {found.reference}, which has been cancelled"
        )
        store.open_triage(stored.id, [reason])
        return Handled("triage", stored.id)
    sender = next(
        (p for p in conference.participants if p.email and p.email.lower() == msg.sender.lower()),
        None,
    )
    role = rule_role(sender.role) if sender else None
    if sender is not None and sender.role is Role.POLICE:
        role = Role.POLICE
    for attachment in msg.attachments:
        store.add_document(
            conference.id,
            name=attachment.name,
            content_type=attachment.content_type,
            content=attachment.content,
            # Police material is restricted whatever the parser thought of the file.
            restricted=found.restricted or attachment.restricted or role is Role.POLICE,
            kind=found.kind,
            from_role=sender.role if sender else None,
            request_id=stored.id,
        )
    rt.record(
        conference.id,
        f"participant:{sender.id}" if sender else "unknown sender",
        "report_received" if found.kind == "agency_report" else found.kind,
        request_id=stored.id,
        attachments=len(msg.attachments),
        restricted=found.restricted,
        from_role=sender.role.value if sender else None,
    )
    store.set_request_outcome(stored.id, "attached", conference.id)
    return Handled("attached", stored.id, conference.id)


async def _threshold(
    rt: Runtime, stored: StoredRequest, mailbox: RequestMailbox, found: ThresholdDiscussion
) -> Handled:
    """A request for a threshold discussion waits for the duty chair, with what was read.

    The duty chair is emailed at once when one is configured (``CONFBOT_CONFERENCE__DUTY_CHAIR``);
    either way the item is listed on the status page under Threshold discussions.
    """
    rt.store.open_triage(
        stored.id,
        ["the social worker asks the duty chair for a threshold discussion"],
        draft=found.draft,
        kind="threshold",
        summary=found.summary,
    )
    logger.info("threshold discussion requested", extra={"request_id": stored.id})
    await _notify_duty_chair(rt, stored, mailbox)
    return Handled("threshold", stored.id)


async def _notify_duty_chair(rt: Runtime, stored: StoredRequest, mailbox: RequestMailbox) -> None:
    """Email the duty chair about an open threshold discussion, once."""
    duty_chair = rt.people.duty_chair
    if not duty_chair:
        return
    item = rt.store.triage_for_request(stored.id)
    if item is None or item.kind != "threshold" or item.state != "open" or item.notified_at:
        return
    subject, body = letters.threshold_notice(item.draft or {}, stored.sender, stored.received_at)
    mail = OutgoingMail(
        to=(duty_chair,),
        subject=subject,
        html_body=body,
        reply_to=_worker_email(item.draft) or stored.sender,
        purpose="threshold_notice",
        # No conference yet: the request tells one discussion's notice from another's.
        revision=f"request:{stored.id}",
    )
    await rt.outbox.send_to_staff(mailbox.address, mail)
    rt.store.mark_triage_notified(item.id)


def _worker_email(draft: Mapping[str, Any] | None) -> str | None:
    """The social worker's first email address in a draft, for the duty chair to reply to."""
    for person in (draft or {}).get("people") or ():
        if isinstance(person, Mapping) and person.get("role") == Role.SOCIAL_WORKER.value:
            emails = person.get("emails") or ()
            return str(emails[0]) if emails else None
    return None


def _triage(
    rt: Runtime, stored: StoredRequest, reasons: tuple[str, ...], found: Triage | None = None
) -> Handled:
    rt.store.open_triage(
        stored.id,
        list(reasons),
        draft=found.draft if found else None,
        problems=[p.as_json() for p in found.problems] if found else (),
        sources=found.sources if found else None,
    )
    logger.info("request sent to triage", extra={"request_id": stored.id})
    return Handled("triage", stored.id)
