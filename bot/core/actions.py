"""Which actions apply to a conference now, and in plain words why the others do not.

Pure. The runtime asks ``allowed_actions`` before it acts and raises
``ActionRefused(refusal(options, name))``; the pages offer only the allowed actions and the API's
409s give the same reasons. The reasons mirror the refusals the runtime makes in
``bot/runtime/conferences.py`` and ``bot/runtime/aftercare/service.py``. Checks that depend on
what a person typed (the chair's address, the chosen format, the date) stay with the action.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.conference import Conference, ConferenceState, MeetingFormat, Role, TimelineEntry
from bot.core.playbook.model import Playbook
from bot.core.timeline.status import parse_recorded
from bot.core.workdays import to_london

ALLOCATE = "allocate"
SET_FORMAT = "set_format"
RESCHEDULE = "reschedule"
CANCEL = "cancel"
CONCLUDE = "conclude"
APPROVE_MINUTES = "approve_minutes"
APPROVE_DISTRIBUTION = "approve_distribution"
RETRY = "retry"
CORRECT_CONTACTS = "correct_contacts"
RECORD_POSTED = "record_posted"
NAMES = (
    ALLOCATE,
    SET_FORMAT,
    RESCHEDULE,
    CANCEL,
    CONCLUDE,
    APPROVE_MINUTES,
    APPROVE_DISTRIBUTION,
    RETRY,
    CORRECT_CONTACTS,
    RECORD_POSTED,
)
MINUTES_STEP = "aftercare.minutes"  # the runtime records the minutes' life under this id
ADMIN_ROLES = frozenset({"admin", "mts"})
BOOKABLE = frozenset({ConferenceState.AWAITING_FORMAT, ConferenceState.ALLOCATED})
FINISHED = frozenset({ConferenceState.CANCELLED, ConferenceState.CONCLUDED})
FAILURE_KINDS = frozenset({"failed", "missed", "blocked"})
DONE_KINDS = frozenset({"done", "step_done", "completed", "sent"})


@dataclass(frozen=True, slots=True)
class ActionOption:
    """One action and whether it applies now; ``reason`` says why not, in plain words.

    ``target`` is what the action is about where there can be several: for ``retry``, the
    step id exactly as the failure recorded it.
    """

    name: str
    allowed: bool
    reason: str = ""
    target: str = ""


@dataclass(frozen=True, slots=True)
class PlaybookFacts:
    """What the actions need to know of the conference's playbook."""

    has_rules: bool  # the playbook describes this type of conference
    missing_rules: str = ""  # why not, in words
    formats: tuple[MeetingFormat, ...] = ()
    peer_check: bool = False  # a second admin checks each distribution list
    agreed_by: tuple[Role, ...] = ()  # who must agree the format before it is set
    risk_assessment: bool = False  # a risk assessment must come before the format

    @classmethod
    def of(cls, playbook: Playbook, conference: Conference) -> PlaybookFacts:
        """The facts from a loaded playbook."""
        peer_check = playbook.distribution.peer_check
        try:
            rules = playbook.rules(conference.conference_type)
        except KeyError as err:
            return cls(False, missing_rules=str(err.args[0]), peer_check=peer_check)
        return cls(
            True,
            formats=rules.formats.offered,
            peer_check=peer_check,
            agreed_by=rules.formats.agreed_by,
            risk_assessment=rules.formats.risk_assessment,
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking, where a rule depends on it: their sign-in name and role."""

    user: str
    role: str


def _state_words(conference: Conference) -> str:
    return {
        ConferenceState.CANCELLED: "the conference was cancelled",
        ConferenceState.CONCLUDED: "the conference has been held and concluded",
        ConferenceState.SCHEDULED: "the conference is already booked",
        ConferenceState.IN_MEETING: "the conference is under way",
    }.get(conference.state, f"the conference is {conference.state.value.replace('_', ' ')}")


def _no(name: str, reason: str) -> ActionOption:
    return ActionOption(name, False, reason)


def _yes(name: str) -> ActionOption:
    return ActionOption(name, True)


def _allocate(conference: Conference) -> ActionOption:
    if conference.state in FINISHED:
        return _no(ALLOCATE, _state_words(conference))
    return _yes(ALLOCATE)


def _set_format(conference: Conference, facts: PlaybookFacts) -> ActionOption:
    if conference.state in FINISHED:
        return _no(SET_FORMAT, _state_words(conference))
    if conference.chair is None:
        return _no(SET_FORMAT, "a chair must be allocated first")
    if conference.state not in BOOKABLE:
        return _no(SET_FORMAT, f"{_state_words(conference)}: reschedule it to move it")
    if not facts.has_rules:
        return _no(SET_FORMAT, facts.missing_rules or "the playbook has no rules for it")
    return _yes(SET_FORMAT)


def _reschedule(conference: Conference) -> ActionOption:
    if conference.state is not ConferenceState.SCHEDULED:
        if conference.state in FINISHED or conference.state is ConferenceState.IN_MEETING:
            return _no(RESCHEDULE, _state_words(conference))
        return _no(RESCHEDULE, "the conference is not booked yet: set the format and date")
    return _yes(RESCHEDULE)


def _cancel(conference: Conference) -> ActionOption:
    if conference.state is ConferenceState.CANCELLED:
        return _no(CANCEL, "the conference is already cancelled")
    if conference.state is ConferenceState.CONCLUDED:
        return _no(CANCEL, "the conference has already been held and concluded")
    return _yes(CANCEL)


def _conclude(
    conference: Conference, entries: Sequence[TimelineEntry], now: datetime
) -> ActionOption:
    if conference.state is ConferenceState.CANCELLED:
        return _no(CONCLUDE, _state_words(conference))
    if conference.meeting_format is None or conference.start_at is None:
        return _no(CONCLUDE, "the conference was never booked")
    started = any(e.kind == "runsheet.meeting_started" for e in entries)
    if (
        now < conference.start_at
        and not started
        and conference.state is not ConferenceState.CONCLUDED
    ):
        # Nothing can have been decided before the meeting: a chair who opens it a little
        # early starts the run sheet, and that counts as started.
        start = to_london(conference.start_at)
        return _no(
            CONCLUDE,
            f"the meeting has not started yet: it starts at {start:%H:%M} on "
            f"{start:%A} {start.day} {start:%B %Y}",
        )
    return _yes(CONCLUDE)


@dataclass(frozen=True, slots=True)
class _Minutes:
    """Where the minutes stand, from the timeline."""

    drafted: bool
    approved: bool
    held: bool  # waiting for a second admin's check
    queued: bool
    approvers: tuple[str, ...]  # who has approved as an admin, or checked the list


def _minutes(entries: Sequence[TimelineEntry]) -> _Minutes:
    kinds = {e.kind for e in entries if e.step_id == MINUTES_STEP}
    approvers = tuple(
        e.actor
        for e in entries
        if (e.kind == "minutes_approved" and e.detail.get("role") in ADMIN_ROLES)
        or e.kind == "distribution_approved"
    )
    return _Minutes(
        drafted=any(e.kind == "minutes_uploaded" for e in entries),
        approved="minutes_approved" in kinds,
        held="distribution_held" in kinds,
        queued="minutes_queued" in kinds,
        approvers=approvers,
    )


def _approve_minutes(
    conference: Conference, minutes: _Minutes, actor: Actor | None
) -> ActionOption:
    if not minutes.drafted:
        return _no(APPROVE_MINUTES, "the minutes have not been drafted yet")
    own_chair = actor is not None and actor.role == "chair" and actor.user == conference.chair
    if actor is not None and actor.role not in ADMIN_ROLES and not own_chair:
        return _no(APPROVE_MINUTES, "only the conference's chair or an admin may approve them")
    return _yes(APPROVE_MINUTES)


def _approve_distribution(minutes: _Minutes, actor: Actor | None) -> ActionOption:
    if actor is not None and actor.role not in ADMIN_ROLES:
        return _no(APPROVE_DISTRIBUTION, "only an admin may approve a distribution list")
    if not minutes.approved:
        return _no(APPROVE_DISTRIBUTION, "the minutes must be approved first")
    if not minutes.held or minutes.queued:
        return _no(APPROVE_DISTRIBUTION, "no distribution list is waiting for a second check")
    if actor is not None and actor.user in minutes.approvers:
        return _no(APPROVE_DISTRIBUTION, "a different admin must check the distribution list")
    return _yes(APPROVE_DISTRIBUTION)


def failed_steps(entries: Iterable[TimelineEntry]) -> list[str]:
    """Step ids, as recorded, that failed and have not succeeded since, oldest first."""
    failed: dict[str, None] = {}
    for entry in sorted(entries, key=lambda e: (e.at, e.id)):
        if not entry.step_id:
            continue
        if entry.kind in FAILURE_KINDS:
            failed[entry.step_id] = None
        elif entry.kind in DONE_KINDS:
            # The same id succeeding clears it, as on the overview's failed actions.
            failed.pop(entry.step_id, None)
    return list(failed)


def _retries(conference: Conference, entries: Sequence[TimelineEntry]) -> list[ActionOption]:
    options = []
    for recorded in failed_steps(entries):
        if conference.state is ConferenceState.CANCELLED:
            reason = "the conference was cancelled"
        elif parse_recorded(recorded).action is None:
            # Only a scheduled job can be run again; the rest is redone by the action itself.
            reason = "this step cannot be tried again from here: do the action again"
        else:
            options.append(ActionOption(RETRY, True, target=recorded))
            continue
        options.append(ActionOption(RETRY, False, reason, target=recorded))
    return options


def _correct_contacts(conference: Conference, actor: Actor | None) -> ActionOption:
    if conference.state in FINISHED:
        # Rectifying a closed record is data protection's process, not intake's.
        return _no(CORRECT_CONTACTS, f"{_state_words(conference)}, so its contacts are closed")
    if not conference.participants:
        return _no(CORRECT_CONTACTS, "no participants are recorded yet")
    own_chair = (
        actor is not None
        and actor.role == "chair"
        and actor.user.lower() == (conference.chair or "").lower()
    )
    if actor is not None and actor.role not in ADMIN_ROLES and not own_chair:
        return _no(CORRECT_CONTACTS, "only the admin team or the conference's chair may do this")
    return _yes(CORRECT_CONTACTS)


def _record_posted(conference: Conference, actor: Actor | None) -> ActionOption:
    # A concluded conference still has letters to post: the decisions and the plan.
    if conference.state is ConferenceState.CANCELLED:
        return _no(RECORD_POSTED, "the conference was cancelled")
    if actor is not None and actor.role not in ADMIN_ROLES:
        return _no(RECORD_POSTED, "only the admin team posts letters")
    return _yes(RECORD_POSTED)


def allowed_actions(
    conference: Conference,
    facts: PlaybookFacts,
    entries: Sequence[TimelineEntry],
    now: datetime,
    *,
    actor: Actor | None = None,
) -> tuple[ActionOption, ...]:
    """Every action on the conference, allowed or not, with the reason for each refusal.

    With ``actor``, rules about who may act (only an admin checks a distribution list, and a
    different one from the first) apply too; without it, only the conference's state counts.
    ``now`` decides the time-bound rules: nobody concludes a meeting before it starts.
    """
    minutes = _minutes(entries)
    return (
        _allocate(conference),
        _set_format(conference, facts),
        _reschedule(conference),
        _cancel(conference),
        _conclude(conference, entries, now),
        _approve_minutes(conference, minutes, actor),
        _approve_distribution(minutes, actor),
        *_retries(conference, entries),
        _correct_contacts(conference, actor),
        _record_posted(conference, actor),
    )


def refusal(options: Iterable[ActionOption], name: str, target: str = "") -> str | None:
    """Why ``name`` (on ``target``, for a retry) is refused, or None when it is allowed."""
    for option in options:
        if option.name == name and (not target or option.target == target):
            return None if option.allowed else option.reason
    if name == RETRY:
        return "that step has not failed, so there is nothing to try again"
    raise KeyError(f"no action named {name!r}")


def allowed_names(options: Iterable[ActionOption]) -> frozenset[str]:
    """The names of the actions that apply now."""
    return frozenset(option.name for option in options if option.allowed)
