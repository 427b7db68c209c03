"""Timeline data: the facts the compiler takes and the dated steps it gives back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import Anchor, Channel


class TimelineError(ValueError):
    """Facts the playbook cannot be run with; the message says what to change."""


class StepKind(StrEnum):
    """What a step asks someone to do."""

    SEND_INVITES = "send_invites"  # the online invite, with the join link
    SEND_FORMAL_INVITES = "send_formal_invites"  # an invitation without a link
    SEND_LETTER = "send_letter"
    SHARE_DOCUMENTS = "share_documents"
    SHARE_VERBALLY = "share_verbally"  # for someone with no safe email address
    PHONE_DISCUSSION = "phone_discussion"
    PREPARATION = "preparation"
    RELEASE_HELD_BACK = "release_held_back"  # bring in someone held back: call or add to invite
    PHASE = "phase"  # an in-meeting prompt to the chair
    CORE_GROUP = "core_group"
    FOLLOW_UP = "follow_up"


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
