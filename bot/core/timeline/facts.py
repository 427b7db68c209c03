"""The compiler's facts about a stored conference, and what a playbook change would do to them."""

from __future__ import annotations

from datetime import datetime

from bot.core.conference import Conference
from bot.core.timeline.model import ConferenceFacts, Timeline
from bot.core.workdays import to_london


def conference_facts(conference: Conference, now: datetime | None = None) -> ConferenceFacts | None:
    """What the compiler needs to know about a conference; None until format and start are set."""
    if conference.meeting_format is None or conference.start_at is None:
        return None
    return ConferenceFacts(
        conference_type=conference.conference_type,
        meeting_format=conference.meeting_format,
        start=conference.start_at,
        length=conference.length,
        confidential=conference.confidential_length,
        strategy_discussion=conference.strategy_discussion,
        late_reason=conference.facts.get("late_reason"),
        late_agreed_by=conference.facts.get("late_agreed_by"),
        now=now,
    )


def timeline_changes(booked: Timeline, changed: Timeline) -> list[str]:
    """How ``changed`` differs from ``booked``, step by step, in words; empty when it does not."""
    before = {s.id: s for s in booked.steps}
    after = {s.id: s for s in changed.steps}
    lines: list[str] = []
    for step_id, step in after.items():
        old = before.get(step_id)
        if old is None:
            lines.append(f"new step: {step.text} (due {_when(step.due)})")
        elif old.due != step.due:
            lines.append(f"{step.text}: due {_when(old.due)}, would be {_when(step.due)}")
    lines += [f"step dropped: {s.text}" for step_id, s in before.items() if step_id not in after]
    return lines


def _when(moment: datetime) -> str:
    return f"{to_london(moment):%a %d %b %H:%M}"
