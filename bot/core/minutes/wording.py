"""Words that depend on the type of conference: a looked-after review is not a CP conference.

A looked-after child review agrees a care plan and sets the next review; it never makes a
child protection plan and has no core group, so its minutes and emails must not say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.core.conference import ConferenceType
from bot.core.minutes.text import FOLLOW_UP_WORDS
from bot.core.playbook.terms import FollowUpKind


@dataclass(frozen=True, slots=True)
class Wording:
    """The names a conference type gives its plan, its review and its follow-ups."""

    plan: str  # "child protection plan" or "care plan"
    review_title: str  # the minutes' row: "Review conference" or "Next review"
    review: str  # in a sentence: "the review conference" or "the next review"
    follow_ups: Mapping[FollowUpKind, str]


_CHILD_PROTECTION = Wording(
    plan="child protection plan",
    review_title="Review conference",
    review="the review conference",
    follow_ups=MappingProxyType(dict(FOLLOW_UP_WORDS)),
)

_LOOKED_AFTER = Wording(
    plan="care plan",
    review_title="Next review",
    review="the next review",
    follow_ups=MappingProxyType(
        {
            **FOLLOW_UP_WORDS,
            FollowUpKind.DECISION_EMAIL: "Email the outcome of the review to the agencies",
            FollowUpKind.OUTLINE_PLAN: "Send the outline care plan",
            FollowUpKind.PLAN: "Send the agreed care plan",
            FollowUpKind.MINUTES: "Send this record",
            FollowUpKind.REVIEW_DATE: "Hold the next review",
        }
    ),
)


def wording(conference_type: ConferenceType) -> Wording:
    """The words for this type of conference."""
    return _LOOKED_AFTER if conference_type is ConferenceType.LAC else _CHILD_PROTECTION
