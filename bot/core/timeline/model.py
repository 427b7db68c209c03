"""Timeline data: the facts the compiler takes and the dated steps it gives back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import Anchor, Channel
from bot.core.playbook.terms import StepKind

__all__ = [
    "ConferenceFacts",
    "ContactChannel",
    "DeadlineCheck",
    "FactParticipant",
    "Step",
    "StepKind",
    "Timeline",
    "TimelineError",
    "Withheld",
]


class TimelineError(ValueError):
    """Facts the playbook cannot be run with; the message says what to change."""


class ContactChannel(StrEnum):
    """How a participant can be reached."""

    EMAIL = "email"
    PHONE = "phone"
    POST = "post"


@dataclass(frozen=True, slots=True)
class FactParticipant:
    """A participant in the facts: only the role and how they can be reached, never a name."""

    role: Role
    channels: frozenset[ContactChannel] = frozenset({ContactChannel.EMAIL, ContactChannel.PHONE})


@dataclass(frozen=True, slots=True)
class ConferenceFacts:
    """What is known about one conference when its timeline is compiled."""

    conference_type: ConferenceType
    meeting_format: MeetingFormat
    start: datetime  # aware; any zone
    length: timedelta | None = None  # the playbook's default length when None
    confidential: timedelta | None = None  # no confidential section when None
    strategy_discussion: date | None = None
    anchors: Mapping[Anchor, date] = field(default_factory=dict)
    participants: tuple[FactParticipant, ...] = ()  # empty: everyone the playbook lists
    late_reason: str | None = None  # why the conference is outside its statutory timescale
    now: datetime | None = None  # when given, a report deadline already past is an error
    late_agreed_by: str | None = None  # who agreed the late booking, as the playbook asks
    looked_after_since: date | None = None  # the day the child became looked after
    previous_reviews: tuple[date, ...] = ()  # the reviews already held, any order


class Withheld(BaseModel):
    """Someone left out of a step, and why."""

    model_config = ConfigDict(frozen=True)

    role: Role
    reason: str


class Step(BaseModel):
    """One dated thing to do or prompt."""

    model_config = ConfigDict(frozen=True)

    id: str  # stable for the same playbook and facts
    kind: StepKind
    due: datetime  # UTC
    actor: Role | None
    audience: tuple[Role, ...]
    template: str  # the text key, e.g. "phase.recording_consent"
    text: str
    rule: str  # where it comes from, e.g. "icpc.report_sharing[0]"
    documents: tuple[str, ...] = ()
    channel: Channel | None = None
    carries_join_link: bool = False
    phase: str | None = None
    working_days: bool = False  # the rule was stated in working days
    withheld: tuple[Withheld, ...] = ()
    # Process the playbook sets, carried here so the runtime never looks the playbook up.
    chased: bool = False  # reminded at ``remind_at``, checked at ``due``
    remind_at: datetime | None = None  # when a reminder goes (UTC), if one does
    remind_roles: tuple[Role, ...] = ()  # who that reminder is emailed to
    sent_at_format: bool = False  # sent as soon as the format is decided, not at ``due``


class DeadlineCheck(BaseModel):
    """A statutory timescale and whether the conference meets it."""

    model_config = ConfigDict(frozen=True)

    rule: str
    last_day: date
    met: bool
    note: str


class Timeline(BaseModel):
    """The compiled plan for one conference."""

    model_config = ConfigDict(frozen=True)

    council: str
    conference_type: ConferenceType
    meeting_format: MeetingFormat
    start: datetime
    end: datetime
    confidential_ends: datetime
    held_back: dict[Role, str]
    deadlines: tuple[DeadlineCheck, ...]
    warnings: tuple[str, ...]
    steps: tuple[Step, ...]
    late_reason: str | None = None  # set when a deadline is missed and the booking went ahead
    late_agreed_by: str | None = None
