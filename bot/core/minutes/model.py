"""Minutes data: what the runtime records about a conference, and the document built from it.

``MinutesInput`` is filled by the runtime from its records; ``Minutes`` is the document model
that the Word and HTML renderers draw. Both are frozen. Nothing here holds restricted
content: the confidential section is described by who was there and when, never by what
was said (seeds 000 and 001).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from bot.core.conference import CaseReference, Child, ConferenceType, MeetingFormat, Role
from bot.core.consent import ConsentStatus
from bot.core.playbook.terms import AttendanceEvidence, AttendanceOutcome


class MinutesError(ValueError):
    """Records that cannot make minutes; the message says what to fix."""


class ParentJoin(StrEnum):
    """How a parent came into the conference, or why they did not."""

    JOINED = "joined"  # called in, or joined by the link, once any hold was over
    NOT_HELD_BACK = "not_held_back"  # the playbook holds nobody back: there from the start
    PHONE_CALL = "phone_call"  # spoke to the chair in a separate call (a series of calls)
    DECLINED = "declined"  # the chair rang and the parent chose not to join
    NO_ANSWER = "no_answer"  # the chair rang the agreed numbers and nobody answered
    DID_NOT_TAKE_PART = "did_not_take_part"  # any other reason, given in ``reason``


class PlanView(StrEnum):
    """An agency's view in the decision round."""

    PLAN = "plan"  # a child protection plan is needed (or should continue)
    NO_PLAN = "no_plan"  # no plan is needed (or the plan should end)


class AbuseCategory(StrEnum):
    """The category of a child protection plan (Working Together to Safeguard Children)."""

    NEGLECT = "neglect"
    EMOTIONAL = "emotional_abuse"
    PHYSICAL = "physical_abuse"
    SEXUAL = "sexual_abuse"


class PlanType(StrEnum):
    """What kind of plan the conference agreed."""

    INTERIM = "interim"  # seed 000: an ICPC agrees an interim plan
    ONGOING = "ongoing"  # seed 000: a review agrees the ongoing plan
    OUTLINE = "outline"  # seed 004: the outline plan, sent within 24 hours
    ENDED = "ended"  # a review decides the plan is no longer needed


@dataclass(frozen=True, slots=True)
class MinutesParticipant:
    """Someone invited, with what the records show about their part in the conference."""

    key: str  # stable and free of personal data, e.g. "parent-1"; the run sheet's party id
    role: Role
    name: str
    organisation: str = ""
    evidence: frozenset[AttendanceEvidence] = frozenset()
    apologies: bool = False  # sent apologies before the conference
    # When Graph's attendance report has them in the Teams meeting: joined, left (aware).
    in_teams: tuple[datetime, datetime | None] | None = None


@dataclass(frozen=True, slots=True)
class ConfidentialSection:
    """When the confidential section was held and who was present; never what was said."""

    held: bool
    start: datetime | None = None
    end: datetime | None = None
    present: tuple[str, ...] = ()  # participant keys
    # The separate confidential record: the runtime may pass it along with the rest, and
    # assembly never copies it into the minutes (seed 000: confidential data is shared
    # "only with the correct people"; the minutes go to the family).
    restricted_record: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class ParentPart:
    """How one parent took part: when they joined or why not, and their views."""

    participant: str  # the key of a parent in ``MinutesInput.participants``
    join: ParentJoin
    at: datetime | None = None  # when they joined, for JOINED
    reason: str = ""  # why they did not join, in the chair's words
    views: str = ""
    views_not_available: str = ""  # seed 003: capture why the parents' views are not known


@dataclass(frozen=True, slots=True)
class YoungPersonPart:
    """The young person's views, or the recorded reason they are absent."""

    name: str
    views: str = ""
    shared_by: str = ""  # e.g. "their advocate" or "the social worker"
    absent_reason: str = ""  # seed 003: "any reason why the views of the young person ..."
    participation: str = ""  # seed 003: the chair's decision on how they take part


@dataclass(frozen=True, slots=True)
class MinutesChild:
    """A child the conference is about, as the minutes name them: by initials, never a name.

    It holds only what the minutes print: the young person's own contact details stay in
    the store, so they can never reach a document sent to the family and agencies.
    """

    initials: str
    date_of_birth: date | None = None
    unborn: bool = False
    expected_date: date | None = None  # an unborn child's expected date of delivery
    case_references: tuple[CaseReference, ...] = ()
    legal_status: str = ""
    advocate: str = ""  # who speaks for them, as the records name the advocate
    participation: str = ""  # how they took part, as the run sheet or the records show it

    @classmethod
    def of(cls, child: Child, *, participation: str = "", advocate: str = "") -> MinutesChild:
        """The minutes' view of a stored child; ``advocate`` stands in when the child has none."""
        return cls(
            initials=child.initials,
            date_of_birth=child.date_of_birth,
            unborn=child.unborn,
            expected_date=child.expected_date,
            case_references=child.case_references,
            legal_status=child.legal_status,
            advocate=child.advocate or advocate,
            participation=participation,
        )


@dataclass(frozen=True, slots=True)
class AgencyContribution:
    """One professional's summary and their view on a plan, with their reasons."""

    participant: str  # the key of a participant
    summary: str = ""
    view: PlanView | None = None
    rationale: str = ""  # seed 001: each professional gives the reasons for their view
    # Given in the confidential section: kept in the confidential record, not the minutes.
    confidential: bool = False


@dataclass(frozen=True, slots=True)
class StepNote:
    """What the chair typed at a run-sheet step, for the section it belongs in."""

    section: str  # "agencies" or "parents"
    title: str  # the step, as the minutes name it: "Agency summaries"
    text: str


@dataclass(frozen=True, slots=True)
class Decisions:
    """What the conference decided."""

    plan: bool | None = None  # None: not decided, or not a child protection conference
    category: AbuseCategory | None = None
    plan_type: PlanType | None = None
    core_group: date | None = None
    review: date | None = None
    notes: str = ""
    care_plan_agreed: bool | None = None  # a looked-after review's own outcome
    # Why the chair moved a date away from the one the timescales suggested.
    core_group_reason: str = ""
    review_reason: str = ""


@dataclass(frozen=True, slots=True)
class ChildDecisions:
    """What the conference decided for one child, named by initials as the minutes name them."""

    initials: str
    decisions: Decisions


@dataclass(frozen=True, slots=True)
class MinutesInput:
    """Everything the runtime records about one conference that its minutes need."""

    reference: str
    conference_type: ConferenceType
    meeting_format: MeetingFormat
    start: datetime  # aware
    chair: str
    participants: tuple[MinutesParticipant, ...]
    children: tuple[MinutesChild, ...] = ()
    end: datetime | None = None  # aware; the playbook's default length after start when None
    consent: Mapping[str, ConsentStatus] = field(default_factory=dict)  # by participant key
    recorded: bool = False
    confidential: ConfidentialSection = ConfidentialSection(held=False)
    parents: tuple[ParentPart, ...] = ()
    young_people: tuple[YoungPersonPart, ...] = ()
    contributions: tuple[AgencyContribution, ...] = ()
    step_notes: tuple[StepNote, ...] = ()
    decisions: Decisions = Decisions()
    # One entry per child the chair decided for; the minutes give each its own section when
    # the children's decisions differ.
    child_decisions: tuple[ChildDecisions, ...] = ()
    # Due times of the follow-ups by playbook id, from the compiled timeline; any missing
    # one is worked out from the playbook with the council's working-day calendar.
    follow_up_due: Mapping[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse records that contradict each other, naming the field to fix."""
        problems = _problems(self)
        if problems:
            raise MinutesError("; ".join(problems))

    def participant(self, key: str) -> MinutesParticipant:
        """The participant with this key."""
        return next(p for p in self.participants if p.key == key)


def _problems(data: MinutesInput) -> list[str]:
    out: list[str] = []
    keys = [p.key for p in data.participants]
    known = set(keys)
    if len(known) != len(keys):
        out.append("participants: two participants share a key")
    for moment, name in ((data.start, "start"), (data.end, "end")):
        if moment is not None and moment.tzinfo is None:
            out.append(f"{name}: give a time zone")
    refs = [
        ("consent", tuple(data.consent)),
        ("confidential.present", data.confidential.present),
        ("parents", tuple(p.participant for p in data.parents)),
        ("contributions", tuple(c.participant for c in data.contributions)),
    ]
    for name, used in refs:
        unknown = sorted(set(used) - known)
        if unknown:
            out.append(f"{name}: no participant with key {', '.join(unknown)}")
    # Seed 000: "If anyone disagrees the meeting will not be recorded."
    if data.recorded and ConsentStatus.OBJECTED in data.consent.values():
        out.append("recorded: the meeting cannot have been recorded once anyone objected")
    section = data.confidential
    if section.held and (section.start is None or section.end is None):
        out.append("confidential: a section that was held needs its start and end")
    if section.start and section.end and section.end < section.start:
        out.append("confidential: the section ends before it starts")
    for child in data.children:
        if not child.initials.strip():
            out.append("children: every child needs their initials")
    for part in data.parents:
        if part.participant in known and data.participant(part.participant).role is not Role.PARENT:
            out.append(f"parents: {part.participant} is not a parent")
    return out


# -- the document ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of plain text."""

    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """A table with one header row; with ``row_headers`` the first cell of a row names it."""

    kind: ClassVar[str] = "table"
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_headers: bool = False


Block = Paragraph | Table


@dataclass(frozen=True, slots=True)
class Section:
    """A headed part of the minutes."""

    id: str  # stable, e.g. "attendance"
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class AttendanceLine:
    """One person's attendance as the minutes record it, under the playbook's rules."""

    participant: str
    outcome: AttendanceOutcome
    apologies: bool
    label: str  # "Attended", "Apologies" or "Did not attend"


@dataclass(frozen=True, slots=True)
class Minutes:
    """The minutes of one conference, ready to render as Word or HTML."""

    title: str
    header: Table
    statement: str  # the playbook's COVID-19 statement, also the first section's first line
    sections: tuple[Section, ...]
    attendance: tuple[AttendanceLine, ...]
    recorded: bool
    missing: tuple[str, ...] = ()  # gaps for the minute taker to fill before approval

    def section(self, section_id: str) -> Section:
        """The section with this id."""
        return next(s for s in self.sections if s.id == section_id)

    def texts(self) -> list[str]:
        """Every piece of text in the document, in order: for searching and tests."""
        out = [self.title, *self.header.header, *(c for r in self.header.rows for c in r)]
        for section in self.sections:
            out.append(section.heading)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    out.append(block.text)
                else:
                    out += [block.caption, *block.header, *(c for r in block.rows for c in r)]
        return out
