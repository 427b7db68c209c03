"""Meetings as the domain sees them: what confbot asks for and what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.conference import Role


@dataclass(frozen=True, slots=True)
class Attendee:
    """Someone on a meeting invite. Parents are only here once the playbook allows it."""

    email: str
    name: str
    role: Role
    required: bool = True


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    """A Teams meeting to create in the chair's calendar."""

    organiser: str  # the chair's user id or address
    subject: str
    start: datetime  # UTC
    end: datetime  # UTC
    attendees: tuple[Attendee, ...]
    html_body: str
    transaction_id: str  # derived from the conference: a retried POST never makes a second event
    location: str = ""


@dataclass(frozen=True, slots=True)
class MeetingRef:
    """What Graph gives back for a created meeting."""

    event_id: str
    join_url: str
    conference_id: str | None  # the audio-conferencing id, when dial-in is licensed
    dial_in: str | None  # the toll number


@dataclass(frozen=True, slots=True)
class MeetingOptions:
    """Online meeting options confbot sets once the meeting exists."""

    lobby_bypass: str = "organization"  # organizer | organization | everyone | invited
    dial_in_bypass_lobby: bool = False
    allow_recording: bool = True


@dataclass(frozen=True, slots=True)
class BusySlot:
    """A span in which a chair is not free."""

    start: datetime
    end: datetime
    status: str  # busy | tentative | oof | workingElsewhere


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting as it stands in the organiser's calendar."""

    ref: MeetingRef
    organiser: str
    subject: str
    start: datetime  # UTC
    end: datetime  # UTC
    attendee_addresses: tuple[str, ...]  # Graph knows addresses, not our roles
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class AttendanceSpan:
    """One stretch of time someone was in the Teams meeting, from the attendance report."""

    joined: datetime  # aware, UTC
    left: datetime | None


@dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """Someone the meeting's attendance report lists, by the address they joined with."""

    email: str
    name: str
    spans: tuple[AttendanceSpan, ...]
    seconds: int  # their total time in the meeting


@dataclass(frozen=True, slots=True)
class AttendanceReport:
    """Graph's attendance report for one session of the chair's meeting."""

    id: str
    start: datetime | None
    end: datetime | None
    records: tuple[AttendanceRecord, ...]
