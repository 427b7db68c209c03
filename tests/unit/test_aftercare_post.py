"""A family without email gets letters by post: the timeline says if an address is on record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.runtime import booking
from bot.store.database import Database
from bot.store.repository import NewParticipant
from playbooks import load_bundled
from tests.unit.test_aftercare_support import CHAIR, make_database, world

ADDRESS = "12 Fictional Row, Testtown, TT1 1AA"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = make_database(tmp_path)
    yield db
    db.dispose()


async def test_letter_needs_post_says_whether_an_address_is_on_record_never_the_address(
    database: Database,
) -> None:
    # Lancashire sends parents a letter for a Teams conference (seed: "virtual_conference").
    w = world(database, load_bundled("lancashire"))
    created = w.repo.create_conference(
        playbook="test",
        conference_type=ConferenceType.ICPC,
        participants=[
            NewParticipant(Role.PARENT, "Parent With Address", relationship="mother",
                           postal_address=ADDRESS),
            NewParticipant(Role.PARENT, "Parent Without", relationship="father"),
        ],
        chair=CHAIR,
    )  # fmt: skip
    w.repo.update_conference(
        created.id,
        state=ConferenceState.SCHEDULED,
        meeting_format=MeetingFormat.TEAMS,
        start_at=datetime.now(UTC) + timedelta(days=14),
        length=timedelta(hours=2),
        confidential_length=timedelta(minutes=20),
    )
    await booking.send_letters_due(w.conferences, created.id)
    needs_post = [e for e in w.repo.timeline(created.id) if e.kind == "letter_needs_post"]
    assert sorted(e.detail["has_postal_address"] for e in needs_post) == [False, True]
    assert all(ADDRESS not in str(e.detail) for e in w.repo.timeline(created.id))
    assert not w.graph.mails  # nobody had an email address, so nothing was emailed


async def test_a_plan_follow_up_for_a_family_without_email_says_if_an_address_is_on_record(
    database: Database,
) -> None:
    # Eastmoor sends the plan to the parents: without email it goes by phone or post.
    w = world(database, load_bundled("eastmoor"))
    created = w.repo.create_conference(
        playbook="test",
        conference_type=ConferenceType.ICPC,
        participants=[
            NewParticipant(Role.PARENT, "Parent With Address", relationship="mother",
                           postal_address=ADDRESS),
            NewParticipant(Role.SOCIAL_WORKER, "Social Worker", "Children's Services",
                           "sw@example.org"),
        ],
        chair=CHAIR,
    )  # fmt: skip
    rules = w.conferences.playbooks.current("test").rules(ConferenceType.ICPC)
    w.repo.update_conference(
        created.id,
        state=ConferenceState.SCHEDULED,
        meeting_format=rules.formats.default,
        start_at=datetime.now(UTC) - timedelta(days=1),
        length=timedelta(hours=2),
    )
    await w.aftercare.conference_concluded(created.id, decisions={"plan": True})
    await w.run_jobs()
    by_post = [e for e in w.repo.timeline(created.id) if e.kind == "followup_needs_post"]
    assert by_post
    assert all(e.detail["has_postal_address"] is True for e in by_post)
    assert all(ADDRESS not in str(e.detail) for e in w.repo.timeline(created.id))
