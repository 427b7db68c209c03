"""Playbook models: one council's conference process as validated, immutable data.

A playbook is data, not code. ``Playbook.problems()`` checks what one field cannot check
alone (a rule naming a phase, document or role that the playbook never defines); the
loader in ``bot.core.playbook.loader`` maps each problem to a file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Literal

from pydantic import Field, ValidationInfo, model_validator

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.durations import Duration, hours, working_days
from bot.core.playbook.base import FormatScoped, Identifier, Loc, Rule
from bot.core.playbook.intake import IntakeVocabulary
from bot.core.playbook.process import ConferenceReminder, LateBooking, ProcessRules
from bot.core.playbook.statements import minutes_placeholders, render_minutes_statement
from bot.core.playbook.terms import (
    AGENCY_ROLES,
    FAMILY_ROLES,
    MINUTES_PLACEHOLDERS,
    SCHEMA_VERSION,
    Anchor,
    AttendanceEvidence,
    AttendanceOutcome,
    BookFromRequest,
    Channel,
    Decision,
    FollowUpKind,
    JoinMethod,
    PhaseKind,
    ReviewStage,
    StepKind,
    TaskKind,
    TimescaleTarget,
)

__all__ = [
    "AGENCY_ROLES",
    "FAMILY_ROLES",
    "MINUTES_PLACEHOLDERS",
    "SCHEMA_VERSION",
    "Anchor",
    "AttendanceEvidence",
    "AttendanceOutcome",
    "AttendanceRule",
    "BookFromRequest",
    "CalendarRules",
    "Cancellation",
    "Channel",
    "ConferenceReminder",
    "ConferenceRules",
    "Decision",
    "DistributionPolicy",
    "DocumentSpec",
    "FollowUp",
    "FollowUpKind",
    "FormatRules",
    "FormatScoped",
    "Identifier",
    "InvitationRules",
    "JoinMethod",
    "LateBooking",
    "LetterSpec",
    "Loc",
    "ParticipantRule",
    "Phase",
    "PhaseKind",
    "Playbook",
    "ProcessRules",
    "ReviewStage",
    "Rule",
    "ShareRule",
    "StepKind",
    "Task",
    "TaskKind",
    "Timescale",
    "TimescaleTarget",
    "minutes_placeholders",
    "render_minutes_statement",
]


class DocumentSpec(Rule):
    """A report or a pack of reports."""

    id: Identifier
    title: str
    author: Role | None = None
    restricted: bool = Field(
        default=False,
        description="Police or third-party material: never by email, never to parents or GPs.",
    )
    contains: tuple[Identifier, ...] = Field(
        default=(), description="Makes this a pack of these documents."
    )
    parent_pack: bool = Field(
        default=False, description="The pack made for parents, with restricted material left out."
    )

    @property
    def is_pack(self) -> bool:
        """True when this is a pack of other documents."""
        return bool(self.contains) or self.parent_pack


class DistributionPolicy(Rule):
    """Council choices about packs; the restricted-material rules are fixed in code."""

    no_packs_to_gp: bool = False
    parents_get_parent_pack_only: bool = False
    peer_check: bool = Field(
        default=False,
        description="A second admin checks who the minutes go to before they are sent.",
    )


class LetterSpec(Rule):
    """A letter the council sends, such as the one explaining why the conference is virtual."""

    id: Identifier
    title: str
    sent_by: Role = Role.ADMIN
    text: str


class Timescale(Rule):
    """A limit counted from an anchor: an ICPC within 15 working days of the strategy discussion."""

    id: Identifier
    target: TimescaleTarget
    within: Duration
    after: Anchor
    statutory: bool = True
    review: ReviewStage | None = Field(
        default=None,
        description="Only for this review in a series: first, second or later; leave out for all.",
    )
    note: str = ""


class FormatRules(Rule):
    """The formats on offer and who chooses; invites wait for the choice."""

    offered: tuple[MeetingFormat, ...] = Field(min_length=1)
    default: MeetingFormat
    decided_by: Role = Role.CHAIR
    consulted: tuple[Role, ...] = ()
    hold_invites_until_decided: bool = True
    agreed_by: tuple[Role, ...] = Field(
        default=(), description="Everyone who must agree the format before it is set."
    )
    risk_assessment: bool = Field(
        default=False, description="A risk assessment must be done before the format is set."
    )


class ParticipantRule(FormatScoped):
    """Who takes part, how they join, and whether they are held back from the invite."""

    role: Role
    invited: bool = True
    on_meeting_invite: bool = Field(
        default=True, description="On the Teams invite (once any hold is over)."
    )
    held_back_until: Identifier | None = Field(
        default=None,
        description="A run-sheet phase id: off the invite, with no link, until it starts.",
    )
    joins_by: JoinMethod = JoinMethod.MEETING_LINK
    letters: tuple[Identifier, ...] = ()


class InvitationRules(Rule):
    """When invites go once the format is decided."""

    send_by: Duration = Field(
        default=working_days(5), description="Latest notice before the start."
    )
    sent_by: Role = Role.ADMIN


class ShareRule(FormatScoped):
    """Who shares which documents with whom, and how long before the start."""

    id: Identifier
    by: Role
    documents: tuple[Identifier, ...] = Field(min_length=1)
    to: tuple[Role, ...] = Field(min_length=1)
    before: Duration
    channel: Channel = Channel.EMAIL
    phone_discussion: bool = Field(
        default=False, description="The sender also talks it through by phone."
    )
    note: str = ""


class Task(FormatScoped):
    """A piece of preparation before the meeting."""

    id: Identifier
    kind: TaskKind
    by: Role
    to: tuple[Role, ...] = ()
    before: Duration
    prompt: str = ""


class Phase(FormatScoped):
    """One step of the in-meeting run sheet."""

    id: Identifier
    kind: PhaseKind
    optional: bool = False
    default_length: Duration | None = None
    present: tuple[Role, ...] = Field(
        default=(), description="Who is in the meeting for this phase."
    )
    call: tuple[Role, ...] = Field(default=(), description="Who the chair calls in this phase.")
    ask_again_on_join: bool = False
    rationale_required: bool = False
    decisions: tuple[Decision, ...] = ()
    prompt: str = ""


class AttendanceRule(Rule):
    """How a piece of evidence is recorded in the minutes."""

    evidence: AttendanceEvidence
    counts_as: AttendanceOutcome


class FollowUp(FormatScoped):
    """Something due after the meeting."""

    id: Identifier
    kind: FollowUpKind
    by: Role
    to: tuple[Role, ...] = ()
    within: Duration
    channel: Channel = Channel.EMAIL
    note: str = ""


class Cancellation(Rule):
    """Who must agree to cancel, and what must be written down."""

    approver: str = Field(
        description="The post that must agree, e.g. 'Safeguarding Service Manager'."
    )
    rationale_required: bool = True
    recorded_on: str = "the child's record"


class ConferenceRules(Rule):
    """Everything a playbook says about one type of conference."""

    default_length: Duration = hours(2)
    timescales: tuple[Timescale, ...] = ()
    formats: FormatRules
    participants: tuple[ParticipantRule, ...] = Field(min_length=1)
    invitations: InvitationRules = InvitationRules()
    report_sharing: tuple[ShareRule, ...] = ()
    preparation: tuple[Task, ...] = ()
    run_sheet: tuple[Phase, ...] = Field(min_length=1)
    attendance: tuple[AttendanceRule, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    reminders: tuple[ConferenceReminder, ...] = ()
    book_from_request: BookFromRequest | None = Field(
        default=None, description="Overrides the playbook's book_from_request for this type."
    )
    minutes_statement: str | None = Field(
        default=None, description="Overrides the playbook's statement."
    )

    def participant(self, role: Role, meeting_format: MeetingFormat) -> ParticipantRule | None:
        """The participant rule for ``role`` in ``meeting_format``, if the role takes part."""
        return next(
            (p for p in self.participants if p.role is role and p.applies_to(meeting_format)), None
        )

    def roles(self, meeting_format: MeetingFormat | None = None) -> frozenset[Role]:
        """Every role listed as a participant (in ``meeting_format`` when given)."""
        return frozenset(
            p.role
            for p in self.participants
            if meeting_format is None or p.applies_to(meeting_format)
        )

    def held_back(self, meeting_format: MeetingFormat) -> dict[Role, str]:
        """Roles kept off the invite, and away from the link, until the named phase starts."""
        return {
            p.role: p.held_back_until
            for p in self.participants
            if p.applies_to(meeting_format) and p.held_back_until is not None
        }

    def phase(self, phase_id: str) -> Phase | None:
        """The run-sheet phase with this id."""
        return next((p for p in self.run_sheet if p.id == phase_id), None)

    def phases(self, meeting_format: MeetingFormat) -> tuple[Phase, ...]:
        """The run sheet, in order, for ``meeting_format``."""
        return tuple(p for p in self.run_sheet if p.applies_to(meeting_format))

    def attendance_outcome(self, evidence: Iterable[AttendanceEvidence]) -> AttendanceOutcome:
        """Attended if any piece of evidence counts as attending under this playbook."""
        rules = {r.evidence: r.counts_as for r in self.attendance}
        seen = [rules.get(e, _DEFAULT_ATTENDANCE[e]) for e in evidence]
        attended = AttendanceOutcome.ATTENDED in seen
        return AttendanceOutcome.ATTENDED if attended else AttendanceOutcome.NOT_ATTENDED


# Without a playbook rule, only taking part in the meeting or a call counts as attending.
_DEFAULT_ATTENDANCE: dict[AttendanceEvidence, AttendanceOutcome] = {
    AttendanceEvidence.JOINED_MEETING: AttendanceOutcome.ATTENDED,
    AttendanceEvidence.PHONE_CONVERSATION: AttendanceOutcome.ATTENDED,
    AttendanceEvidence.REPLIED_TO_PACK_EMAIL: AttendanceOutcome.NOT_ATTENDED,
    AttendanceEvidence.REPORT_ONLY: AttendanceOutcome.NOT_ATTENDED,
    AttendanceEvidence.NO_CONTACT: AttendanceOutcome.NOT_ATTENDED,
}


class CalendarRules(Rule):
    """How durations become due times for this council."""

    end_of_working_day: time = time(17, 0)
    roll_back_off_working_days: bool = True


class Playbook(Rule):
    """One council's COVID-19 conference process."""

    schema_version: Literal[1]
    council: str
    seed: str = Field(default="", description="The written process this playbook follows.")
    calendar: CalendarRules = CalendarRules()
    distribution: DistributionPolicy = DistributionPolicy()
    process: ProcessRules = ProcessRules()
    late_booking: LateBooking = LateBooking()
    book_from_request: BookFromRequest = Field(
        default=BookFromRequest.WHEN_CHAIR_AND_FORMAT_GIVEN,
        description="'never': a person always books, even when the request names chair and format.",
    )
    documents: tuple[DocumentSpec, ...] = Field(min_length=1)
    letters: tuple[LetterSpec, ...] = ()
    minutes_statement: str = Field(
        description="Template; may use {conference}, {format} and {date}."
    )
    cancellation: Cancellation
    conferences: Mapping[ConferenceType, ConferenceRules] = Field(min_length=1)
    intake: IntakeVocabulary = Field(
        default_factory=IntakeVocabulary,
        description="The council's own labels, case systems and required fields for requests.",
    )

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> Playbook:
        # The loader asks to run these itself, so it can point at the offending line.
        if not (info.context or {}).get("defer_reference_checks"):
            found = self.problems()
            if found:
                loc, message = found[0]
                raise ValueError(f"{'.'.join(str(part) for part in loc)}: {message}")
        return self

    def rules(self, conference_type: ConferenceType) -> ConferenceRules:
        """The rules for ``conference_type``, or a KeyError naming what the playbook has."""
        try:
            return self.conferences[conference_type]
        except KeyError:
            have = ", ".join(self.conferences)
            raise KeyError(f"this playbook has no {conference_type} (it has {have})") from None

    def book_from_request_for(self, conference_type: ConferenceType) -> BookFromRequest:
        """The auto-booking rule for ``conference_type``: its own, else the playbook's."""
        own = self.conferences.get(conference_type)
        if own is not None and own.book_from_request is not None:
            return own.book_from_request
        return self.book_from_request

    def document(self, document_id: str) -> DocumentSpec:
        """The document with this id."""
        return next(d for d in self.documents if d.id == document_id)

    def contains_restricted(self, document_id: str) -> bool:
        """True when the document, or anything in it, is restricted material."""
        doc = self.document(document_id)
        return doc.restricted or any(self.contains_restricted(part) for part in doc.contains)

    def statement_for(self, conference_type: ConferenceType) -> str:
        """The minutes statement template for ``conference_type``."""
        return self.rules(conference_type).minutes_statement or self.minutes_statement

    def problems(self) -> list[tuple[Loc, str]]:
        """Every reference that does not resolve, as (location, message) pairs."""
        from bot.core.playbook.checks import playbook_problems

        return playbook_problems(self)
