"""The step status reads what today's runtime really writes: a booked conference's letters and
invites show done (or skipped, with the reason), never late, for every bundled playbook.

This ties ``bot.core.timeline.status`` to ``ConferenceService.set_format``; when the runtime is
split by use case, build the booking through the new use case instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.actions import APPROVE_DISTRIBUTION, PlaybookFacts, allowed_actions, refusal
from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.mailbox import OutgoingMail
from bot.core.meeting import MeetingOptions, MeetingRef, MeetingRequest
from bot.core.timeline import StepKind
from bot.core.timeline.status import StepStatus, conference_step_views
from bot.runtime.conferences import ConferenceService, RuntimeConfig
from bot.runtime.scheduler import VirtualScheduler
from bot.store.database import Database
from bot.store.repository import NewParticipant, Repository
from playbooks import load_all_bundled
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
    service = ConferenceService(
        repo,
        BookingGraph(),  # type: ignore[arg-type]  # only the calls a booking makes
        VirtualScheduler(),
        playbook,
        RuntimeConfig("cp.requests@example.org", (CHAIR,)),
        clock=clock,
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
    asyncio.run(
        service.set_format(
            created.id,
            meeting_format=meeting_format,
            start=NOW + timedelta(days=21),
            by="mts@example.org",
            confidential=confidential,
            late_reason="Booked for the test.",
        )
    )
    conference = repo.get_conference(created.id)
    timeline = service.timeline(conference)
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
    w = world(database, PLAYBOOKS[name])
    held = held_conference(
        w, [(Role.PARENT, "parent@family.example.net"), (Role.POLICE, "police@example.org")]
    )

    async def conclude() -> None:
        await w.aftercare.conference_concluded(held.id, decisions={"plan": True})
        await w.aftercare.approve_minutes(held.id, user=held.chair or "", role="chair")
        await w.run_jobs()

    asyncio.run(conclude())
    conference = w.repo.get_conference(held.id)
    entries = w.repo.timeline(held.id)
    views = conference_step_views(
        w.conferences.timeline(conference), conference, entries, datetime.now(UTC)
    )
    follow_ups = [v for v in views if v.step.kind is StepKind.FOLLOW_UP]
    assert all(v.status is not StepStatus.FAILED for v in follow_ups), follow_ups
    emailed = [v for v in follow_ups if v.step.template == "follow_up.minutes"]
    assert all(v.status is StepStatus.DONE for v in emailed), emailed
    # What only prompted a person says so rather than claiming it done.
    for view in follow_ups:
        if view.status is not StepStatus.DONE:
            assert view.reason, view
    options = allowed_actions(
        conference, PlaybookFacts.of(PLAYBOOKS[name], conference), entries, NOW
    )
    assert refusal(options, APPROVE_DISTRIBUTION) == (
        "no distribution list is waiting for a second check"
    )
