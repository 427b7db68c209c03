"""allowed_actions refuses what today's runtime refuses, and allows what it does.

Each case puts a conference in a state, asks ``allowed_actions``, then asks the runtime itself;
the two must agree. When the runtime checks ``allowed_actions`` itself, this stays as its proof.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.actions import (
    ALLOCATE,
    APPROVE_DISTRIBUTION,
    APPROVE_MINUTES,
    CANCEL,
    CONCLUDE,
    RESCHEDULE,
    SET_FORMAT,
    Actor,
    PlaybookFacts,
    allowed_actions,
    refusal,
)
from bot.core.conference import Conference, ConferenceState, MeetingFormat, Role
from bot.core.errors import ActionRefused
from bot.core.meeting import MeetingOptions, MeetingRef, MeetingRequest
from bot.runtime import allocation, booking, changes, deadlines
from bot.runtime.aftercare.service import Aftercare
from bot.runtime.booking import FormatDecision
from bot.runtime.jobs import JobDispatcher
from bot.runtime.scheduler import VirtualScheduler
from bot.store.repository import Repository
from playbooks import load_all_bundled
from tests.runtime_kit import make_runtime
from tests.unit.test_aftercare_support import (
    CHAIR,
    MINUTE_TAKER,
    CapturingGraph,
    World,
    held_conference,
    make_database,
    world,
)

PLAYBOOK = load_all_bundled()["lancashire"]


class MeetingGraph(CapturingGraph):
    """The aftercare's fake Graph, which can book and cancel a meeting too."""

    async def create_meeting(self, request: MeetingRequest) -> MeetingRef:
        return MeetingRef("event-1", "https://teams.example.org/join/1", None, None)

    async def set_meeting_options(self, organiser: str, join_url: str, o: MeetingOptions) -> None:
        return None

    async def cancel_meeting(self, organiser: str, event_id: str, comment: str) -> None:
        return None


Attempt = Callable[[World, Conference], Awaitable[object]]


def _attempts() -> dict[str, Attempt]:
    start = datetime.now(UTC) + timedelta(days=30)
    return {
        ALLOCATE: lambda w, c: allocation.allocate(w.conferences, c.id, CHAIR, "mts"),
        SET_FORMAT: lambda w, c: booking.set_format(
            w.conferences, c.id, FormatDecision(MeetingFormat.TEAMS, start), by="mts"
        ),
        RESCHEDULE: lambda w, c: changes.reschedule(w.conferences, c.id, start=start, by="mts"),
        CANCEL: lambda w, c: changes.cancel(
            w.conferences,
            c.id,
            by="mts",
            rationale="Family moved away.",
            approved_by="Service Manager",
        ),
        CONCLUDE: lambda w, c: w.aftercare.conference_concluded(c.id),
        APPROVE_MINUTES: lambda w, c: w.aftercare.approve_minutes(
            c.id, user=c.chair or "", role="chair"
        ),
    }


def _world(tmp_path: Path) -> World:
    """The aftercare tests' world, over a Graph that can book a meeting too."""
    repo = Repository(make_database(tmp_path))
    graph, scheduler = MeetingGraph(), VirtualScheduler()
    rt = make_runtime(
        repo, graph, scheduler, {"test": PLAYBOOK}, chairs=(CHAIR,), minute_takers=(MINUTE_TAKER,)
    )
    dispatcher = JobDispatcher(rt)
    deadlines.register(dispatcher)
    aftercare = Aftercare(rt, dispatcher)
    aftercare.register()
    return World(repo, graph, scheduler, rt, dispatcher, aftercare)


def _conference(w: World, state: ConferenceState, *, booked: bool, chair: bool) -> Conference:
    held = held_conference(w, [(Role.PARENT, "parent@family.example.net")])
    changes: dict[str, object] = {"state": state, "chair": held.chair if chair else None}
    if not booked:
        changes |= {"meeting_format": None, "start_at": None}
    else:
        changes["start_at"] = datetime.now(UTC) + timedelta(days=20)
    return w.repo.update_conference(held.id, **changes)


CASES = [
    (ConferenceState.REQUESTED, False, False),
    (ConferenceState.AWAITING_FORMAT, False, True),
    (ConferenceState.SCHEDULED, True, True),
    (ConferenceState.CANCELLED, True, True),
]


@pytest.mark.parametrize(("state", "booked", "chair"), CASES)
@pytest.mark.parametrize("name", sorted(_attempts()))
def test_allowed_actions_refuse_exactly_what_the_runtime_refuses(
    tmp_path: Path, state: ConferenceState, booked: bool, chair: bool, name: str
) -> None:
    w = _world(tmp_path)
    conference = _conference(w, state, booked=booked, chair=chair)
    facts = PlaybookFacts.of(PLAYBOOK, conference)
    actor = Actor(conference.chair or "mts@example.org", "chair" if chair else "mts")
    entries = w.repo.timeline(conference.id)
    said = refusal(
        allowed_actions(conference, facts, entries, datetime.now(UTC), actor=actor), name
    )
    try:
        asyncio.run(_attempts()[name](w, conference))
    except ActionRefused as err:
        assert said is not None, f"the runtime refused {name}: {err}"
    else:
        assert said is None, f"the runtime did {name}, but allowed_actions said: {said}"


def test_a_second_admin_is_needed_only_when_a_list_waits_for_the_check(tmp_path: Path) -> None:
    w = world(make_database(tmp_path), PLAYBOOK)
    held = held_conference(w, [(Role.PARENT, "parent@family.example.net")])

    async def approve() -> None:
        await w.aftercare.conference_concluded(held.id)
        await w.aftercare.approve_minutes(held.id, user="first.admin", role="admin")

    asyncio.run(approve())
    entries = w.repo.timeline(held.id)
    facts = PlaybookFacts.of(PLAYBOOK, held)
    options = allowed_actions(
        held, facts, entries, datetime.now(UTC), actor=Actor("first.admin", "admin")
    )
    # No bundled playbook asks for the peer check, so the list went at once: nothing waits.
    assert not facts.peer_check
    assert refusal(options, APPROVE_DISTRIBUTION) == (
        "no distribution list is waiting for a second check"
    )
    with pytest.raises(ActionRefused):
        asyncio.run(w.aftercare.approve_distribution(held.id, user="first.admin", role="admin"))
