"""Statutory and playbook timescales: when a conference may be held at the latest.

Looked-after reviews count differently as the series goes on (the first within 20 working
days of the child becoming looked after, the second within 3 months of the first, then
every 6 months), so a timescale may name the review it limits with ``review:``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.core.conference import ConferenceType, Role
from bot.core.durations import DurationUnit
from bot.core.playbook.model import (
    Anchor,
    ConferenceRules,
    Playbook,
    ReviewStage,
    Timescale,
    TimescaleTarget,
)
from bot.core.timeline.model import ConferenceFacts, DeadlineCheck, Step, StepKind
from bot.core.timeline.text import day_words
from bot.core.workdays import WorkingCalendar, to_london


@dataclass(slots=True)
class TimescaleFindings:
    """What a conference's timescales add to its plan, and the limits it misses, in words."""

    steps: list[Step] = field(default_factory=list)
    deadlines: list[DeadlineCheck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def check_timescales(
    rules: ConferenceRules,
    facts: ConferenceFacts,
    prefix: str,
    calendar: WorkingCalendar,
    length: timedelta,
    audience: Callable[[Iterable[Role]], tuple[Role, ...]],
) -> TimescaleFindings:
    """Check each timescale that applies to this conference; date the first core group."""
    found = TimescaleFindings()
    anchors = fact_anchors(facts)
    stage = review_stage(facts.previous_reviews, facts.anchors)
    start_day = to_london(facts.start).date()
    for i, scale in enumerate(rules.timescales):
        rule = f"{prefix}.timescales[{i}]"
        if not applies(scale, stage):
            continue
        if scale.target is TimescaleTarget.CORE_GROUP:
            found.steps.append(
                Step(
                    id=f"{prefix}.timescales.{scale.id}",
                    kind=StepKind.CORE_GROUP,
                    due=calendar.due_after(facts.start + length, scale.within),
                    actor=Role.SOCIAL_WORKER,
                    audience=audience([Role.SOCIAL_WORKER, Role.PARENT, Role.AGENCY]),
                    template="core_group.due",
                    rule=rule,
                    working_days=scale.within.unit is DurationUnit.WORKING_DAYS,
                    text=(
                        "The first core group meeting must be held by this date "
                        f"({scale.within} after the conference)."
                    ),
                )
            )
            continue
        anchor_day = anchors.get(scale.after)
        if anchor_day is None:
            if scale.after is Anchor.STRATEGY_DISCUSSION:
                found.warnings.append(
                    f"No strategy discussion date was given, so the {scale.within} limit "
                    "cannot be checked."
                )
            continue
        last_day = calendar.date_after(anchor_day, scale.within)
        met = start_day <= last_day
        anchor_words = scale.after.value.replace("_", " ")
        note = f"{scale.within} after the {anchor_words} on {day_words(anchor_day)}"
        found.deadlines.append(DeadlineCheck(rule=rule, last_day=last_day, met=met, note=note))
        if not met:
            found.missed.append(
                f"The {facts.conference_type} on {day_words(start_day)} is after its last "
                f"allowed day, {day_words(last_day)} ({note})"
            )
    return found


def review_stage(previous_reviews: Sequence[date], anchors: Mapping[Anchor, date]) -> ReviewStage:
    """Which review this is: the count of reviews held, or "later" when only the last is known."""
    if len(previous_reviews) >= 2:
        return ReviewStage.LATER
    if len(previous_reviews) == 1:
        return ReviewStage.SECOND
    # A previous review given only as an anchor: how many came before it is unknown.
    return ReviewStage.LATER if Anchor.PREVIOUS_REVIEW in anchors else ReviewStage.FIRST


def fact_anchors(facts: ConferenceFacts) -> dict[Anchor, date]:
    """Every anchor date the facts give, the named fields filling in what ``anchors`` lacks."""
    anchors = dict(facts.anchors)
    if facts.strategy_discussion is not None:
        anchors[Anchor.STRATEGY_DISCUSSION] = facts.strategy_discussion
    if facts.looked_after_since is not None:
        anchors.setdefault(Anchor.BECAME_LOOKED_AFTER, facts.looked_after_since)
    if facts.previous_reviews:
        anchors.setdefault(Anchor.PREVIOUS_REVIEW, max(facts.previous_reviews))
    return anchors


def applies(scale: Timescale, stage: ReviewStage) -> bool:
    """True when ``scale`` limits the conference at this point in its series."""
    return scale.review is None or scale.review is stage


def next_review_due(
    playbook: Playbook,
    conference_type: ConferenceType,
    looked_after_since: date | None,
    previous_reviews: Sequence[date],
) -> date | None:
    """The last day the next review may be held, or None when the playbook or facts cannot say.

    With several limits (say 6 months after the last review and a second, stricter one),
    the earliest wins: meeting it meets them all.
    """
    rules = playbook.conferences.get(conference_type)
    if rules is None:
        return None
    calendar = WorkingCalendar(
        playbook.calendar.end_of_working_day, playbook.calendar.roll_back_off_working_days
    )
    anchors: dict[Anchor, date] = {}
    if looked_after_since is not None:
        anchors[Anchor.BECAME_LOOKED_AFTER] = looked_after_since
    if previous_reviews:
        anchors[Anchor.PREVIOUS_REVIEW] = max(previous_reviews)
    stage = review_stage(previous_reviews, {})
    days = [
        calendar.date_after(anchors[scale.after], scale.within)
        for scale in rules.timescales
        if scale.target is TimescaleTarget.CONFERENCE
        and applies(scale, stage)
        and scale.after in anchors
    ]
    return min(days, default=None)
