"""Where each step of a conference's timeline stands: done, due, late, failed or skipped.

Pure: it reads the compiled steps and the conference's timeline entries, the same lines the
runtime writes as it works, and never guesses. A step is done only when an entry says so.
The runtime records its work under three shapes of step id:

- a job outcome (``done``, ``failed``, ``missed``, ``blocked``, ``step_late``) under the job id
  ``c<conference>:<step id>:<action>``;
- one part per person (``letter_sent``, ``letter_needs_post``, ``followup_sent``,
  ``followup_needs_post``) under ``<step id>:<participant id>``;
- a plain step id, or none at all for the meeting itself (``meeting_created``, ``format_set``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.conference import (
    Conference,
    ConferenceState,
    MeetingFormat,
    Participant,
    Role,
    TimelineEntry,
)
from bot.core.request import AGENCY_ROLES
from bot.core.timeline.model import Step, StepKind, Timeline
from bot.core.workdays import to_london


class StepStatus(StrEnum):
    """Where one step of the compiled timeline stands."""

    DONE = "done"
    DUE = "due"
    LATE = "late"  # past its due time and not done
    FAILED = "failed"  # confbot tried and failed, and has not succeeded since
    SKIPPED = "skipped"  # not needed, or done another way; the reason says which


@dataclass(frozen=True, slots=True)
class StepView:
    """One step with where it stands; ``at``/``by`` say when and by whom it was done."""

    step: Step
    status: StepStatus
    at: datetime | None = None
    by: str = ""
    reason: str = ""  # why skipped or failed, or what has happened so far


# Job outcomes and part records the runtime writes.
FAILURE_KINDS = frozenset({"failed", "missed", "blocked"})
LATE_KIND = "step_late"  # a deadline check found the step not done
# A letter the admin team posted (``letter_posted``) has reached its person as surely.
PART_DONE = frozenset({"letter_sent", "followup_sent", "sent", "letter_posted"})
PART_SKIPPED = {
    "letter_needs_post": "no email address: sent by post",
    "followup_needs_post": "no email address: shared by phone or post",
}
# Kinds that complete a step recorded under its plain id.
STEP_DONE = frozenset({"done", "step_done", "completed", "sent", "review_requested"})
STEP_SKIPPED = {
    "review_not_needed": "no child protection plan, so no review conference is needed",
}
# Where the minutes stand before they are sent, recorded under the runtime's minutes id.
MINUTES_NOTES = {
    "minutes_uploaded": "drafted; waiting for the chair's approval",
    "minutes_approved": "approved; about to be sent",
    "distribution_held": "approved; waiting for a second admin to check who they go to",
    "minutes_queued": "approved; being sent",
}
SKIPPED_KIND = "step_skipped"  # a person or the runtime says a step is not needed; detail: reason
# Job actions whose "done" does not mean the step is done: a reminder, or a prompt to a person.
NOT_COMPLETING = frozenset({"remind", "prompt"})
# Follow-up job actions that may only prompt a person (a call, a letter by post).
PROMPTING = frozenset({"aftercare.follow_up", "aftercare.feedback"})
# Formats where the chair phones people: their call sheet is what tells them.
BY_PHONE = frozenset({MeetingFormat.CONFERENCE_CALL, MeetingFormat.PHONE_SERIES})
CALL_SHEET = "call_sheet"
MINUTES_STEP = "aftercare.minutes"  # the runtime records the minutes under this id
MINUTES_TEMPLATE = "follow_up.minutes"
# Steps with a deadline to meet, rather than a moment in the meeting.
DEADLINES = frozenset(set(StepKind) - {StepKind.PHASE, StepKind.RELEASE_HELD_BACK})
# Kinds whose per-person parts make up the step (a letter to each parent).
PER_PERSON = frozenset({StepKind.SEND_LETTER})


@dataclass(frozen=True, slots=True)
class Recorded:
    """A timeline entry's step id, taken apart: the step, the job action, the person."""

    step: str
    action: str | None = None
    part: str | None = None


def parse_recorded(recorded: str) -> Recorded:
    """Which step a recorded step id is about, and the job action or person it names."""
    head, _, rest = recorded.partition(":")
    if head.startswith("c") and head[1:].isdigit() and ":" in rest:
        step, _, action = rest.rpartition(":")
        return Recorded(step, action=action)
    step, colon, part = recorded.rpartition(":")
    if colon and step:
        return Recorded(step, part=part)
    return Recorded(recorded)


def rule_role(role: Role) -> Role:
    """The playbook role a participant falls under: police, health, GP and school are agencies."""
    return Role.AGENCY if role in AGENCY_ROLES else role


@dataclass(slots=True)
class _Evidence:
    """What the entries say about one step, oldest first."""

    done: TimelineEntry | None = None
    done_action: str | None = None  # the job action that recorded ``done``, if a job did
    prompted: bool = False  # a person was prompted to do it: a job's "done" is not theirs
    failed: TimelineEntry | None = None
    late: bool = False
    skipped: str = ""
    noted: str = ""  # what has happened without completing it (a reminder, a prompt)
    parts: dict[str, tuple[TimelineEntry, str]] = field(default_factory=dict)  # part -> (e, why)
    failed_parts: set[str] = field(default_factory=set)


def _collect(entries: Iterable[TimelineEntry]) -> dict[str, _Evidence]:
    found: dict[str, _Evidence] = defaultdict(_Evidence)
    for entry in entries:
        if not entry.step_id:
            continue
        where = parse_recorded(entry.step_id)
        evidence = found[where.step]
        if where.part is not None:
            _part(evidence, where.part, entry)
        else:
            _whole(evidence, where.action, entry)
    return found


def _part(evidence: _Evidence, part: str, entry: TimelineEntry) -> None:
    if entry.kind in PART_DONE:
        evidence.parts[part] = (entry, "")
        evidence.failed_parts.discard(part)
    elif entry.kind in PART_SKIPPED:
        evidence.parts[part] = (entry, PART_SKIPPED[entry.kind])
        evidence.failed_parts.discard(part)
    elif entry.kind in FAILURE_KINDS:
        evidence.failed_parts.add(part)
    elif entry.kind == "prompt_due":
        _prompted(evidence, entry)


def _prompted(evidence: _Evidence, entry: TimelineEntry) -> None:
    evidence.prompted = True
    evidence.noted = f"prompted {_when(entry.at)}; not yet recorded as done"


def _whole(evidence: _Evidence, action: str | None, entry: TimelineEntry) -> None:
    kind = entry.kind
    if kind in FAILURE_KINDS:
        evidence.failed = entry
    elif kind == LATE_KIND:
        evidence.late = True
    elif kind == SKIPPED_KIND or kind in STEP_SKIPPED:
        evidence.skipped = str(entry.detail.get("reason") or STEP_SKIPPED.get(kind, "not needed"))
        evidence.failed = None
    elif kind == "prompt_due":
        _prompted(evidence, entry)
    elif kind in MINUTES_NOTES:
        evidence.noted = MINUTES_NOTES[kind]
    elif kind in STEP_DONE:
        evidence.failed = None
        if action in NOT_COMPLETING:
            evidence.noted = f"reminded {_when(entry.at)}"
        elif action in PROMPTING and evidence.prompted:
            return  # the job prompted a person; the step is theirs to do
        elif not (action == "check" and evidence.late):
            # A deadline check that found the step late ran, but did not complete it.
            evidence.done, evidence.done_action = entry, action


def _when(moment: datetime) -> str:
    return to_london(moment).strftime("on %a %d %b at %H:%M")


def _meeting_done(entries: Sequence[TimelineEntry], kind: str) -> TimelineEntry | None:
    """The last ``kind`` entry since the conference was last moved: a move books it again."""
    found: TimelineEntry | None = None
    for entry in entries:
        if entry.kind == "rescheduled":
            found = None
        elif entry.kind == kind:
            found = entry
    return found


def _audience_people(step: Step, people: Sequence[Participant]) -> list[Participant]:
    return [p for p in people if rule_role(p.role) in step.audience or p.role in step.audience]


def _from_parts(
    step: Step, evidence: _Evidence, people: Sequence[Participant] | None
) -> StepView | None:
    """A step made of one part per person: done when every part is done or skipped.

    Without the people (``None``), the parts recorded so far are all there is to go on.
    """
    if people is None:
        expected = set(evidence.parts) | evidence.failed_parts
        if not expected:
            return None
    else:
        expected = {str(p.id) for p in _audience_people(step, people)}
    if not expected:
        return StepView(step, StepStatus.SKIPPED, reason="nobody it is for is taking part")
    if evidence.failed_parts & expected:
        return StepView(step, StepStatus.FAILED, reason="a letter could not be sent")
    recorded = {part: found for part, found in evidence.parts.items() if part in expected}
    if set(recorded) != expected:
        return None
    done = [entry for entry, why in recorded.values() if not why]
    skipped = sorted({why for _, why in recorded.values() if why})
    if not done:
        return StepView(step, StepStatus.SKIPPED, reason="; ".join(skipped))
    last = max(done, key=lambda entry: entry.at)
    by = ", ".join(sorted({entry.actor for entry in done}))
    note = "; ".join(
        n
        for n in (f"for some: {'; '.join(skipped)}" if skipped else "", _lateness(step, last))
        if n
    )
    return StepView(step, StepStatus.DONE, at=last.at, by=by, reason=note)


def _meeting_evidence(
    step: Step, meeting_format: MeetingFormat, entries: Sequence[TimelineEntry]
) -> TimelineEntry | None:
    """Invites go when the meeting is booked: the runtime records that, not the step."""
    if step.kind is StepKind.SEND_INVITES:
        return _meeting_done(entries, "meeting_created")
    if step.kind is StepKind.SEND_FORMAL_INVITES:
        if meeting_format in BY_PHONE:
            sheets = [e for e in entries if e.kind == "sent" and e.step_id == CALL_SHEET]
            return sheets[-1] if sheets else None
        return _meeting_done(entries, "format_set")
    return None


def _phase_evidence(step: Step, entries: Sequence[TimelineEntry]) -> TimelineEntry | None:
    """An in-meeting prompt is done once the run sheet reached its phase."""
    if step.kind not in (StepKind.PHASE, StepKind.RELEASE_HELD_BACK) or step.phase is None:
        return None
    for entry in entries:
        if entry.kind == "runsheet.phase_started" and entry.step_id == step.phase:
            return entry
        if step.kind is StepKind.RELEASE_HELD_BACK and (
            entry.kind == "runsheet.confidential_section_ended"
        ):
            return entry
    return None


@dataclass(frozen=True, slots=True)
class _Context:
    meeting_format: MeetingFormat
    participants: Sequence[Participant] | None
    cancelled: bool
    entries: Sequence[TimelineEntry]  # oldest first
    now: datetime


def _step_view(step: Step, evidence: _Evidence, context: _Context) -> StepView:
    """Where one step stands, from what the entries say about it."""
    entries = context.entries
    if evidence.skipped:
        return StepView(step, StepStatus.SKIPPED, reason=evidence.skipped)
    if step.kind is StepKind.SEND_INVITES and context.meeting_format in BY_PHONE:
        # The compiler lists a joining link for a conference call; the runtime books no
        # meeting for a phone format and sends the chair a call sheet instead.
        words = context.meeting_format.value.replace("_", " ")
        return StepView(step, StepStatus.SKIPPED, reason=f"not needed for a {words}")
    done = _completion(step, evidence)
    done = (
        done
        or _meeting_evidence(step, context.meeting_format, entries)
        or _phase_evidence(step, entries)
    )
    if done is not None and (evidence.failed is None or evidence.failed.at <= done.at):
        return StepView(
            step, StepStatus.DONE, at=done.at, by=done.actor, reason=_lateness(step, done)
        )
    cancelled = context.cancelled
    if step.kind in PER_PERSON:
        found = _from_parts(step, evidence, context.participants)
        # A cancelled conference needs no failed letter sent again.
        if found is not None and not (cancelled and found.status is StepStatus.FAILED):
            return found
    if cancelled:
        return StepView(step, StepStatus.SKIPPED, reason="the conference was cancelled")
    if evidence.failed is not None:
        return StepView(step, StepStatus.FAILED, reason=_failure(evidence.failed))
    if evidence.late or step.due < context.now:
        return StepView(step, StepStatus.LATE, reason=evidence.noted)
    return StepView(step, StepStatus.DUE, reason=evidence.noted)


def _lateness(step: Step, done: TimelineEntry) -> str:
    """A deadline met late says so: short notice, or a step done after its time."""
    if step.kind not in DEADLINES or done.at <= step.due:
        return ""
    return "after its deadline"


def _completion(step: Step, evidence: _Evidence) -> TimelineEntry | None:
    """The entry that completed the step, if its own record did."""
    if evidence.done is None:
        return None
    # Only a report-sharing check looks for anything (the reports received); for other
    # steps a check that ran says nothing about whether the person did it.
    if evidence.done_action == "check" and step.kind is not StepKind.SHARE_DOCUMENTS:
        return None
    return evidence.done


def _failure(entry: TimelineEntry) -> str:
    reason = str(entry.detail.get("reason") or "")
    # The runtime records an exception's class name for failures it did not expect; only a
    # sentence is worth showing a person.
    return reason if " " in reason else "it did not work"


def step_views(
    timeline: Timeline,
    entries: Iterable[TimelineEntry],
    now: datetime,
    *,
    participants: Sequence[Participant] | None = None,
    cancelled: bool = False,
) -> tuple[StepView, ...]:
    """Every step of the timeline with where it stands, in the timeline's order.

    ``participants`` are the conference's people (None when not known): a letter to each is
    one part of its step.
    """
    ordered = sorted(entries, key=lambda entry: (entry.at, entry.id))
    evidence = _collect(ordered)
    context = _Context(timeline.meeting_format, participants, cancelled, ordered, now)
    views = []
    for step in timeline.steps:
        found = evidence.get(step.id, _Evidence())
        if step.template == MINUTES_TEMPLATE and step.id not in evidence:
            # The approved minutes go out under the runtime's own id for them.
            found = evidence.get(MINUTES_STEP, found)
        views.append(_step_view(step, found, context))
    return tuple(views)


def conference_step_views(
    timeline: Timeline, conference: Conference, entries: Iterable[TimelineEntry], now: datetime
) -> tuple[StepView, ...]:
    """Every step of a stored conference's timeline with where it stands."""
    return step_views(
        timeline,
        entries,
        now,
        participants=conference.participants,
        cancelled=conference.state is ConferenceState.CANCELLED,
    )
