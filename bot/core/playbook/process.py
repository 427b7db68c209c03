"""How confbot runs a council's process: reminders, chasers, late bookings and auto-booking.

Each section has defaults that reproduce confbot's behaviour before playbooks could say
these things, so a playbook only writes what it changes.
"""

from __future__ import annotations

from pydantic import Field

from bot.core.conference import Role
from bot.core.durations import Duration, hours
from bot.core.playbook.base import Identifier, Rule
from bot.core.playbook.terms import StepKind

# Today's chasers: reports, phone discussions and preparation are reminded, then checked.
DEFAULT_CHASED: tuple[StepKind, ...] = (
    StepKind.SHARE_DOCUMENTS,
    StepKind.PHONE_DISCUSSION,
    StepKind.PREPARATION,
)
# The admin team (so confbot) sends letters and invites as soon as the format is decided.
DEFAULT_SENT_AT_FORMAT: tuple[StepKind, ...] = (
    StepKind.SEND_LETTER,
    StepKind.SEND_INVITES,
    StepKind.SEND_FORMAL_INVITES,
)


class ProcessRules(Rule):
    """Which deadlines confbot chases, how early it reminds, and what it sends at once."""

    reminder_lead: Duration = Field(
        default=hours(24),
        description="How long before a chased deadline the person doing it is reminded.",
    )
    chased: tuple[StepKind, ...] = Field(
        default=DEFAULT_CHASED,
        description="Steps confbot chases: a reminder before the deadline, a check at it.",
    )
    sent_at_format: tuple[StepKind, ...] = Field(
        default=DEFAULT_SENT_AT_FORMAT,
        description="Steps the admin team sends as soon as the format is decided.",
    )


class LateBooking(Rule):
    """Whether a conference that misses a deadline may still go ahead, and who must agree."""

    allowed: bool = Field(
        default=True,
        description="False: a conference that misses a deadline must be moved, never booked late.",
    )
    agreed_by: str = Field(
        default="the chair",
        min_length=1,
        description="The post that agrees a late booking, e.g. 'the Safeguarding Service Manager'.",
    )


class ConferenceReminder(Rule):
    """A reminder of the conference itself: "remind the parents 3 working days before"."""

    id: Identifier
    before: Duration = Field(description="How long before the start the reminder goes.")
    to: tuple[Role, ...] = Field(min_length=1, description="Who is reminded.")
    text: str = Field(default="", description="The reminder; leave out for the standard one.")
