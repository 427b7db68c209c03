"""The timeline compiler: playbook + conference facts -> ordered, dated steps.

Pure and deterministic: the same playbook and facts always give the same steps with the
same ids, so the scheduler can use a step id (prefixed by the conference) as its job id.
This module is the public face; the models live in ``timeline_model`` and the work in
``timeline_compiler``.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import Playbook
from bot.core.timeline.agreement import format_agreement_problems
from bot.core.timeline.compiler import Compiler
from bot.core.timeline.jobs import PlannedJob, planned_jobs, sent_at_format
from bot.core.timeline.model import (
    ConferenceFacts,
    ContactChannel,
    DeadlineCheck,
    FactParticipant,
    Step,
    StepKind,
    Timeline,
    TimelineError,
    Withheld,
)
from bot.core.timeline.timescales import next_review_due

__all__ = [
    "ConferenceFacts",
    "ContactChannel",
    "DeadlineCheck",
    "FactParticipant",
    "PlannedJob",
    "Step",
    "StepKind",
    "Timeline",
    "TimelineError",
    "Withheld",
    "compile_timeline",
    "format_agreement_problems",
    "held_back_roles",
    "join_link_allowed",
    "next_review_due",
    "planned_jobs",
    "sent_at_format",
]


def held_back_roles(
    playbook: Playbook, conference_type: ConferenceType, meeting_format: MeetingFormat
) -> dict[Role, str]:
    """Roles kept off the invite, and away from the join link, until the named phase starts."""
    return playbook.rules(conference_type).held_back(meeting_format)


def join_link_allowed(
    playbook: Playbook,
    conference_type: ConferenceType,
    meeting_format: MeetingFormat,
    role: Role,
    phases_started: Iterable[str],
) -> bool:
    """May someone in ``role`` be on the invite, or get the link, given the phases so far?"""
    rules = playbook.rules(conference_type)
    participant = rules.participant(role, meeting_format)
    if participant is None or not participant.invited:
        return False
    hold = participant.held_back_until
    return hold is None or hold in set(phases_started)


def compile_timeline(playbook: Playbook, facts: ConferenceFacts) -> Timeline:
    """Turn a playbook and a conference's facts into its ordered, dated steps."""
    return Compiler(playbook, facts).run()
