"""Statutory and playbook timescales: when a conference may be held at the latest.

Looked-after reviews count differently as the series goes on (the first within 20 working
days of the child becoming looked after, the second within 3 months of the first, then
every 6 months), so a timescale may name the review it limits with ``review:``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.core.conference import ConferenceType
from bot.core.playbook.model import Anchor, Playbook, ReviewStage, Timescale, TimescaleTarget
from bot.core.timeline.model import ConferenceFacts
from bot.core.workdays import WorkingCalendar


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
