"""The step status reads what today's runtime really writes: a booked conference's letters and
invites show done (or skipped, with the reason), never late, for every bundled playbook.

This ties ``bot.core.timeline.status`` to the booking use case (``bot.runtime.booking``) and
the aftercare service, over a real store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.actions import (
    APPROVE_DISTRIBUTION,
    Actor,
    PlaybookFacts,
    allowed_actions,
    refusal,
)
from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.mailbox import OutgoingMail
from bot.core.meeting import MeetingOptions, MeetingRef, MeetingRequest
from bot.core.timeline import StepKind
from bot.core.timeline.status import StepStatus, StepView, conference_step_views
from bot.runtime import booking
from bot.runtime.booking import FormatDecision
from bot.runtime.scheduler import VirtualScheduler
from bot.store.database import Database
from bot.store.repository import NewParticipant, Repository
from playbooks import load_all_bundled
from tests.runtime_kit import make_runtime
from tests.unit.test_aftercare_support import held_conference, make_database, world

PLAYBOOKS = load_all_bundled()
CHAIR = "chair.one@example.org"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SENT_AT_BOOKING = (StepKind.SEND_LETTER, StepKind.SEND_INVITES, StepKind.SEND_FORMAL_INVITES)


@dataclass
class BookingGraph:
    """The Graph calls a booking makes; nothing leaves the process."""

    mails: list[OutgoingMail] = field(default_factory=list)

    async def create_meeting(self, request: MeetingRequest) -> MeetingRef:
        return MeetingRef("event-1", "https://teams.example.org/join/1", None, None)

    async def set_meeting_options(self, organiser: str, join_url: str, o: MeetingOptions) -> None:
        return None

    async def send_mail(self, sender_mailbox: str, mail: OutgoingMail) -> None:
        self.mails.append(mail)

    async def send_mails(self, sender_mailbox: str, mails: Sequence[OutgoingMail]) -> list[int]:
        self.mails.extend(mails)
        return [202] * len(mails)


CASES = [
    (name, kind, meeting_format)
    for name, playbook in PLAYBOOKS.items()
    for kind, rules in playbook.conferences.items()
    if kind is ConferenceType.ICPC
    for meeting_format in rules.formats.offered
]


@pytest.mark.parametrize(("name", "kind", "meeting_format"), CASES)
def test_what_a_booking_sends_shows_done_or_skipped_never_late(
    tmp_path: Path, name: str, kind: ConferenceType, meeting_format: MeetingFormat
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'confbot.sqlite3'}")
    database.upgrade()
    clock = lambda: NOW  # noqa: E731
    repo = Repository(database, clock=clock)
    playbook = PLAYBOOKS[name]
    rt = make_runtime(
        repo, BookingGraph(), VirtualScheduler(), {name: playbook}, chairs=(CHAIR,), clock=clock
    )
    created = repo.create_conference(
        playbook=name,
        conference_type=kind,
        participants=[
            NewParticipant(Role.PARENT, "Sam Testparent", email="sam@example.invalid"),
            NewParticipant(Role.PARENT, "Alex Testparent"),  # no email: the letter goes by post
            NewParticipant(Role.SOCIAL_WORKER, "Robin Testworker", email="robin@example.org"),
        ],
        state=ConferenceState.AWAITING_FORMAT,
        chair=CHAIR,
        facts={"venue": "Testtown Family Centre"},
    )
    rules = playbook.rules(kind)
    confidential = timedelta(minutes=20) if rules.held_back(meeting_format) else None
    decision = FormatDecision(
        meeting_format,
        NOW + timedelta(days=21),
        confidential=confidential,
        late_reason="Booked for the test.",
        late_agreed_by="Pat Testmanager",
        format_agreed_by=tuple(role.value for role in rules.formats.agreed_by),
        risk_assessed=rules.formats.risk_assessment,
    )
    asyncio.run(booking.set_format(rt, created.id, decision, by="mts@example.org"))
    conference = repo.get_conference(created.id)
    timeline = rt.timeline(conference)
    # A week after booking, what booking sent must not read as late.
    views = conference_step_views(
        timeline, conference, repo.timeline(created.id), NOW + timedelta(days=20)
    )
    booked = [v for v in views if v.step.kind in SENT_AT_BOOKING]
    assert booked, "the booking sent nothing the timeline lists"
    for view in booked:
        assert view.status in (StepStatus.DONE, StepStatus.SKIPPED), (view.step.id, view)


@pytest.mark.parametrize("name", sorted(PLAYBOOKS))
def test_after_the_conference_follow_ups_sent_show_done_and_none_shows_failed(
    tmp_path: Path, name: str
) -> None:
    database = make_database(tmp_path)
    playbook = PLAYBOOKS[name]
    w = world(database, playbook)
    held = held_conference(
        w,
        [(Role.PARENT, "parent@family.example.net"), (Role.POLICE, "police@example.org")],
        conference_type=next(iter(playbook.conferences)),
    )

    def views() -> tuple[StepView, ...]:
        conference = w.repo.get_conference(held.id)
        entries = w.repo.timeline(held.id)
        timeline = w.conferences.timeline(conference)
        return conference_step_views(timeline, conference, entries, datetime.now(UTC))

    def minutes() -> StepView:
        return next(v for v in views() if v.step.template == "follow_up.minutes")

    async def conclude() -> None:
        await w.aftercare.conference_concluded(held.id, decisions={"plan": True})
        await w.aftercare.approve_minutes(held.id, user=held.chair or "", role="chair")
        await w.run_jobs()

    asyncio.run(conclude())
    if playbook.distribution.peer_check:
        assert minutes().status is StepStatus.DUE
        assert "second admin" in minutes().reason
        second = Actor("second.admin@example.org", "admin")
        conference, entries = w.repo.get_conference(held.id), w.repo.timeline(held.id)
        facts = PlaybookFacts.of(playbook, conference)
        options = allowed_actions(conference, facts, entries, NOW, actor=second)
        assert refusal(options, APPROVE_DISTRIBUTION) is None

        async def check() -> None:
            # The chair's approval is not an admin's: two admins check the list.
            for admin in (second.user, "third.admin@example.org"):
                await w.aftercare.approve_distribution(held.id, user=admin, role="admin")
            await w.run_jobs()

        asyncio.run(check())
    follow_ups = [v for v in views() if v.step.kind is StepKind.FOLLOW_UP]
    assert all(v.status is not StepStatus.FAILED for v in follow_ups), follow_ups
    assert minutes().status is StepStatus.DONE, minutes()
    # What only prompted a person says so rather than claiming it done.
    for view in follow_ups:
        if view.status is not StepStatus.DONE:
            assert view.reason, view
    conference, entries = w.repo.get_conference(held.id), w.repo.timeline(held.id)
    options = allowed_actions(
        conference, PlaybookFacts.of(PLAYBOOKS[name], conference), entries, NOW
    )
    assert refusal(options, APPROVE_DISTRIBUTION) == (
        "no distribution list is waiting for a second check"
    )
