"""Allocating a chair: suggestions from the chairs' calendars, then the allocation itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.actions import ALLOCATE
from bot.core.allocation import ChairSuggestion, suggest_chairs
from bot.core.conference import Conference, ConferenceState
from bot.core.errors import ActionRefused
from bot.core.timeline import compile_timeline
from bot.core.timeline.model import ConferenceFacts, TimelineError
from bot.core.workdays import add_working_days, to_london
from bot.runtime.context import Runtime

CLOSED = (ConferenceState.CANCELLED, ConferenceState.CONCLUDED)
# With no strategy discussion to count from, chairs are offered the next four weeks.
DEFAULT_WINDOW_WORKING_DAYS = 20


async def suggest(rt: Runtime, conference_id: int) -> list[ChairSuggestion]:
    """Chairs ranked by their earliest free slot inside the statutory window, then workload."""
    conference = rt.store.get_conference(conference_id)
    rules = rt.rules(conference)
    today = to_london(rt.clock()).date()
    first = add_working_days(today, 1)
    last = add_working_days(today, DEFAULT_WINDOW_WORKING_DAYS)
    if conference.strategy_discussion is not None:
        try:
            probe = compile_timeline(
                rt.playbook(conference),
                ConferenceFacts(
                    conference_type=conference.conference_type,
                    meeting_format=rules.formats.default,
                    start=rt.clock(),
                    strategy_discussion=conference.strategy_discussion,
                ),
            )
            if probe.deadlines:
                last = min(d.last_day for d in probe.deadlines)
        except TimelineError:
            pass
    chairs = list(rt.people.chairs)
    busy = await rt.graph.get_schedule(
        rt.mailbox_of(conference),
        chairs,
        datetime.combine(first, datetime.min.time(), UTC),
        datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC),
    )
    workload = {
        chair: sum(
            1 for c in rt.store.list_conferences(chair=chair, limit=1000) if c.state not in CLOSED
        )
        for chair in chairs
    }
    return suggest_chairs(busy, workload, first, last, rules.default_length.as_timedelta())


async def allocate(rt: Runtime, conference_id: int, chair: str, by: str) -> Conference:
    """Give the conference a chair. Invites stay held until the chair decides the format."""
    conference = rt.store.get_conference(conference_id)
    rt.require(conference, ALLOCATE)
    if rt.people.chairs and chair not in rt.people.chairs:
        raise ActionRefused(f"{chair} is not one of the configured chairs")
    updated = rt.store.update_conference(
        conference_id,
        chair=chair,
        state=(
            ConferenceState.AWAITING_FORMAT
            if conference.state in (ConferenceState.REQUESTED, ConferenceState.TRIAGE)
            else conference.state
        ),
    )
    rt.record(conference_id, by, "chair_allocated", chair=chair)
    return updated
