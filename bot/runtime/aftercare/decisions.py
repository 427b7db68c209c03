"""The decision for each child: the form, the dates suggested, and recording the chair's answer.

Each save is a ``child_decision_recorded`` line on the timeline, by whoever saved it; the
latest for a child is its decision. Reading them back is pure over the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.conference import Conference, TimelineEntry
from bot.core.decisions import (
    ChildDecisionView,
    DecisionSheet,
    SuggestedDates,
    checked_child_decision,
    decision_form,
    decision_of,
    decision_record,
    suggested_dates,
)
from bot.core.errors import ActionRefused, InvalidInput
from bot.core.minutes.children import initials_text
from bot.core.minutes.model import ChildDecisions, Decisions
from bot.core.workdays import to_london
from bot.runtime.context import Runtime

CHILD_DECISION = "child_decision_recorded"
MINUTES_STEP = "aftercare.minutes"


def recorded_decisions(entries: Sequence[TimelineEntry]) -> dict[int, Decisions]:
    """Each child's latest recorded decision, by child id."""
    out: dict[int, Decisions] = {}
    for entry in entries:
        if entry.kind != CHILD_DECISION:
            continue
        try:
            child_id = int(str(entry.detail.get("child")))
        except ValueError:
            continue
        out[child_id] = decision_of(entry.detail)
    return out


def child_decisions(
    conference: Conference, entries: Sequence[TimelineEntry]
) -> tuple[ChildDecisions, ...]:
    """The decisions for the minutes, in the order the children were recorded."""
    found = recorded_decisions(entries)
    return tuple(
        ChildDecisions(child.initials, found[child.id])
        for child in conference.children
        if child.id in found
    )


class ChildDecisionRecords:
    """Suggests the dates and records each child's decision for a held conference."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.repo = runtime.store

    def suggested(self, conference: Conference) -> SuggestedDates:
        """The review (and first core group) dates the timescales suggest for this meeting."""
        if conference.start_at is None:
            return SuggestedDates(None)
        facts = self.rt.facts(conference)
        return suggested_dates(
            self.rt.playbook(conference),
            conference.conference_type,
            to_london(conference.start_at).date(),
            looked_after_since=facts.looked_after_since,
            previous_reviews=facts.previous_reviews,
        )

    def sheet(self, conference_id: int) -> DecisionSheet:
        """The decision form for each child, with what is recorded so far."""
        conference = self.repo.get_conference(conference_id)
        entries = self.repo.timeline(conference_id)
        found = recorded_decisions(entries)
        return DecisionSheet(
            form=decision_form(self.rt.playbook(conference), conference.conference_type),
            suggested=self.suggested(conference),
            children=tuple(ChildDecisionView(c, found.get(c.id)) for c in conference.children),
            locked=self.repo.has_step(conference_id, MINUTES_STEP, "minutes_approved"),
        )

    def record(
        self, conference_id: int, child_id: int, raw: dict[str, object], *, by: str
    ) -> Decisions:
        """Check and record one child's decision; the same decision again records nothing."""
        conference = self.repo.get_conference(conference_id)
        child = next((c for c in conference.children if c.id == child_id), None)
        if child is None:
            raise InvalidInput("that child is not one this conference is about")
        if conference.start_at is None or conference.meeting_format is None:
            raise ActionRefused("the conference was never booked, so nothing was decided")
        if self.repo.has_step(conference_id, MINUTES_STEP, "minutes_approved"):
            raise ActionRefused("the minutes are approved; their decisions cannot change")
        form = decision_form(self.rt.playbook(conference), conference.conference_type)
        try:
            made = checked_child_decision(raw, form, self.suggested(conference))
        except ValueError as err:
            raise InvalidInput(f"The decision for {initials_text(child)}: {err}.") from err
        before = recorded_decisions(self.repo.timeline(conference_id)).get(child_id)
        if before != made:
            self.rt.record(
                conference_id, by, CHILD_DECISION, child=child_id, **decision_record(made)
            )
        return made
