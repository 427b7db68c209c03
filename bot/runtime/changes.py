"""Changing a booked conference: moving it to a new time, or cancelling it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.actions import CANCEL, RESCHEDULE
from bot.core.conference import Conference, ConferenceState
from bot.core.errors import ActionRefused
from bot.runtime.booking import FormatDecision, set_format
from bot.runtime.context import Runtime


async def reschedule(
    rt: Runtime, conference_id: int, *, start: datetime, by: str, length: timedelta | None = None
) -> Conference:
    """Move a booked conference: a new meeting at the new time, and every job moved with it."""
    conference = rt.store.get_conference(conference_id)
    rt.require(conference, RESCHEDULE)
    assert conference.meeting_format is not None
    old_event, chair = conference.event_id, conference.chair
    rt.scheduler.remove_conference(conference_id)
    rt.store.update_conference(conference_id, state=ConferenceState.AWAITING_FORMAT)
    if old_event and chair:
        await rt.graph.cancel_meeting(chair, old_event, "This conference has been moved.")
    rt.record(conference_id, by, "rescheduled", start=start.astimezone(UTC).isoformat())
    facts = conference.facts
    return await set_format(
        rt,
        conference_id,
        FormatDecision(
            meeting_format=conference.meeting_format,
            start=start,
            length=length or conference.length,
            confidential=conference.confidential_length,
            late_reason=facts.get("late_reason"),
            late_agreed_by=facts.get("late_agreed_by"),
        ),
        by=by,
    )


async def cancel(
    rt: Runtime, conference_id: int, *, by: str, rationale: str, approved_by: str | None
) -> Conference:
    """Cancel, following the playbook's rule: a named post's approval and a rationale."""
    conference = rt.store.get_conference(conference_id)
    rule = rt.playbook(conference).cancellation
    rt.require(conference, CANCEL)
    if rule.rationale_required and not rationale.strip():
        raise ActionRefused("a cancellation needs a written rationale")
    if not approved_by:
        raise ActionRefused(f"a cancellation needs the approval of the {rule.approver}")
    rt.scheduler.remove_conference(conference_id)
    if conference.event_id and conference.chair:
        await rt.graph.cancel_meeting(
            conference.chair, conference.event_id, "This conference has been cancelled."
        )
    rt.record(
        conference_id,
        by,
        "cancelled",
        rationale=rationale,
        approved_by=approved_by,
        approver_post=rule.approver,
        recorded_on=rule.recorded_on,
    )
    return rt.store.update_conference(conference_id, state=ConferenceState.CANCELLED)
