"""From a request email to a conference, a triage item, or a document on an existing conference.

Each message is recorded first, by its immutable Graph id, so a replay or a crash never
loses it and never handles it twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.conference import Conference, ConferenceState, MeetingFormat, Role
from bot.core.mailbox import InboundMessage, OutgoingMail
from bot.core.request import ConferenceRequest
from bot.intake.outcome import AttachToConference, Parsed
from bot.intake.parser import parse_message
from bot.runtime import letters
from bot.runtime.conferences import SYSTEM, ActionRefused, ConferenceService, rule_role
from bot.store.repository import NewParticipant, StoredRequest

logger = logging.getLogger(__name__)

PROCESSED = "confbot: processed"


@dataclass(frozen=True, slots=True)
class Handled:
    """What became of one message: ``conference``, ``triage``, ``attached`` or ``replay``."""

    outcome: str
    request_id: int
    conference_id: int | None = None


def participants_of(request: ConferenceRequest) -> list[NewParticipant]:
    """The people a request names, with their roles and contact details."""
    people = [
        NewParticipant(
            Role.SOCIAL_WORKER,
            request.social_worker.name,
            email=request.social_worker.email or None,
            phone=request.social_worker.phone or None,
        ),
        NewParticipant(
            Role.TEAM_MANAGER,
            request.team_manager.name,
            email=request.team_manager.email or None,
            phone=request.team_manager.phone or None,
        ),
    ]
    for parent in request.parents:
        people.append(
            NewParticipant(
                Role.PARENT,
                parent.name,
                organisation=parent.relationship,
                email=parent.email or None,
                phone=parent.phones[0] if parent.phones else None,
            )
        )
    for agency in request.agencies:
        people.append(
            NewParticipant(
                agency.role,
                agency.contact_name or agency.organisation,
                organisation=agency.organisation,
                email=agency.email or None,
                phone=agency.phone or None,
            )
        )
    return people


def facts_of(request: ConferenceRequest) -> dict[str, object]:
    """What the request says beyond people and dates, kept with the conference."""
    return {
        "children": [
            {
                "case_reference": c.case_reference,
                "initials": c.initials,
                "unborn": c.unborn,
            }
            for c in request.children
        ],
        "other_numbers": {
            parent.email or parent.name: list(parent.phones[1:])
            for parent in request.parents
            if len(parent.phones) > 1
        },
        "preferred_format": request.preferred_format.value if request.preferred_format else None,
        "confidential_requested": request.confidential_section_requested,
        "access_needs": request.access_needs,
        "previous_reference": request.previous_reference,
    }


class RequestIntake:
    """Turns request-mailbox messages into conferences, triage items or attached documents."""

    def __init__(self, conferences: ConferenceService, mailbox: str, playbook_name: str) -> None:
        self.conferences = conferences
        self.repo = conferences.repo
        self.mailbox = mailbox
        self.playbook_name = playbook_name

    async def handle(self, msg: InboundMessage) -> Handled:
        """Handle one message exactly once, however often it is delivered."""
        if PROCESSED in msg.categories and self.repo.find_request(msg.id) is not None:
            # Our own category change brings the message back through delta: nothing to do.
            return Handled("replay", 0)
        stored, _created = self.repo.record_request(
            message_id=msg.id,
            mailbox=self.mailbox,
            received_at=msg.received_at,
            sender=msg.sender,
            subject=msg.subject,
            body=msg.body,
            body_type=msg.body_type,
            internet_message_id=msg.internet_message_id,
        )
        outcome = parse_message(msg)
        if stored.outcome == "parsed" and stored.conference_id and isinstance(outcome, Parsed):
            # Handled before, perhaps only in part (a crash, a Graph outage): finish the rest.
            conference = self.repo.get_conference(stored.conference_id)
            await self._finish(conference, stored, outcome.request)
            await self._mark(msg)
            return Handled("replay", stored.id, stored.conference_id)
        if stored.outcome != "pending":
            await self._mark(msg)
            return Handled("replay", stored.id, stored.conference_id)
        if isinstance(outcome, Parsed):
            handled = await self._create(stored, outcome.request, outcome.warnings)
        elif isinstance(outcome, AttachToConference):
            handled = self._attach(stored, msg, outcome)
        else:
            handled = await self._triage(stored, outcome.reasons)
        await self._mark(msg)
        return handled

    async def _mark(self, msg: InboundMessage) -> None:
        # A category, not isRead: people read this mailbox too.
        await self.conferences.graph.mark_processed(
            self.mailbox, msg.id, category=PROCESSED, known_categories=msg.categories
        )

    async def _create(
        self, stored: StoredRequest, request: ConferenceRequest, warnings: tuple[str, ...]
    ) -> Handled:
        conference = self.repo.create_conference(
            playbook=self.playbook_name,
            conference_type=request.conference_type,
            participants=participants_of(request),
            strategy_discussion=request.strategy_discussion_date,
            facts=facts_of(request),
            request_id=stored.id,
        )
        self.repo.append_timeline(
            conference.id,
            actor=SYSTEM,
            kind="requested",
            detail={"request_id": stored.id, "warnings": list(warnings)},
        )
        await self._finish(conference, stored, request)
        return Handled("conference", stored.id, conference.id)

    async def _finish(
        self, conference: Conference, stored: StoredRequest, request: ConferenceRequest
    ) -> None:
        # Both steps check the timeline or the state first, so running them again is safe.
        # The acknowledgement and any letters travel together in one $batch.
        async with self.conferences.collecting():
            await self._acknowledge(conference, stored.sender)
            await self._preset(self.repo.get_conference(conference.id), request)

    async def _acknowledge(self, conference: Conference, sender: str) -> None:
        if self.repo.has_step(conference.id, "acknowledgement", "acknowledged"):
            return
        subject, body = letters.acknowledgement(conference)
        mail = OutgoingMail(to=(sender,), subject=subject, html_body=body, purpose="acknowledge")
        await self.conferences.send(
            conference,
            mail,
            {sender: Role.SOCIAL_WORKER},
            may_carry_link=False,
            after=lambda: self.repo.append_timeline(
                conference.id, actor=SYSTEM, kind="acknowledged", step_id="acknowledgement"
            ),
        )

    async def _preset(self, conference: Conference, request: ConferenceRequest) -> None:
        """Where the social worker and chair already agreed chair, format and time, book it."""
        chair, fmt, start = (
            request.preferred_chair,
            request.preferred_format,
            request.preferred_start,
        )
        if not (chair and fmt and start):
            return
        if conference.state is ConferenceState.SCHEDULED:
            # Booked on an earlier pass whose letters may never have gone (they travel in
            # this request's batch, sent after the booking is saved): send what is missing.
            await self.conferences.send_letters_due(conference.id)
            return
        if conference.state not in (ConferenceState.REQUESTED, ConferenceState.AWAITING_FORMAT):
            return
        try:
            if conference.chair != chair:
                await self.conferences.allocate(conference.id, chair, by="request")
            await self.conferences.set_format(
                conference.id,
                meeting_format=MeetingFormat(fmt),
                start=start,
                by="request",
            )
        except ActionRefused as err:
            # Not an error in the request: the admin team finishes the booking by hand.
            self.repo.append_timeline(
                conference.id, actor=SYSTEM, kind="preset_not_applied", detail={"reason": str(err)}
            )

    def _attach(
        self, stored: StoredRequest, msg: InboundMessage, found: AttachToConference
    ) -> Handled:
        conference = self.repo.find_conference(found.reference)
        if conference is None or conference.state is ConferenceState.CANCELLED:
            reason = (
                f"it quotes {found.reference}, which is not a conference"
                if conference is None
                else f"it quotes {found.reference}, which has been cancelled"
            )
            self.repo.open_triage(stored.id, [reason])
            return Handled("triage", stored.id)
        sender = next(
            (
                p
                for p in conference.participants
                if p.email and p.email.lower() == msg.sender.lower()
            ),
            None,
        )
        role = rule_role(sender.role) if sender else None
        if sender is not None and sender.role is Role.POLICE:
            role = Role.POLICE
        for attachment in msg.attachments:
            self.repo.add_document(
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
        self.repo.append_timeline(
            conference.id,
            actor=f"participant:{sender.id}" if sender else "unknown sender",
            kind="report_received" if found.kind == "agency_report" else found.kind,
            detail={
                "request_id": stored.id,
                "attachments": len(msg.attachments),
                "restricted": found.restricted,
                "from_role": sender.role.value if sender else None,
            },
        )
        self.repo.set_request_outcome(stored.id, "attached", conference.id)
        return Handled("attached", stored.id, conference.id)

    async def _triage(self, stored: StoredRequest, reasons: tuple[str, ...]) -> Handled:
        self.repo.open_triage(stored.id, list(reasons))
        logger.info("request sent to triage", extra={"request_id": stored.id})
        return Handled("triage", stored.id)
