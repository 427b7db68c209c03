"""The web's read side offers every record the web shows, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from bot.core.conference import CaseReference, ConferenceState, ConferenceType, Role
from bot.core.errors import NotFound
from bot.store.database import Database
from bot.store.queries import StatusQueries
from bot.store.repository import NewChild, NewParticipant, Repository

RECEIVED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[Repository, StatusQueries]]:
    database = Database(database_url)
    database.upgrade()
    yield Repository(database), StatusQueries(database)
    database.dispose()


def test_one_conference_is_read_with_its_people_and_children(
    stores: tuple[Repository, StatusQueries],
) -> None:
    repo, queries = stores
    created = repo.create_conference(
        playbook="northshire",
        conference_type=ConferenceType.ICPC,
        participants=[NewParticipant(Role.PARENT, "Alex Example", relationship="mother")],
        children=[
            NewChild(
                "T.R.",
                date_of_birth=date(2018, 3, 2),
                case_references=(CaseReference("LCS", "123456", primary=True),),
            )
        ],
    )
    read = queries.conference(created.id)
    assert read == repo.get_conference(created.id)
    assert read.children[0].initials == "T.R."
    assert read.participants[0].relationship == "mother"
    assert queries.conference_by_reference(created.reference) == read
    with pytest.raises(NotFound):
        queries.conference(999)


def test_conference_list_filters_by_state_chair_and_playbook_newest_first(
    stores: tuple[Repository, StatusQueries],
) -> None:
    repo, queries = stores
    a = repo.create_conference(playbook="northshire", conference_type=ConferenceType.ICPC)
    b = repo.create_conference(playbook="southshire", conference_type=ConferenceType.RCPC)
    c = repo.create_conference(playbook="northshire", conference_type=ConferenceType.ICPC)
    repo.update_conference(a.id, state=ConferenceState.ALLOCATED, chair="chair@sandbox.test")
    assert [x.id for x in queries.conferences()] == [c.id, b.id, a.id]
    assert [x.id for x in queries.conferences(playbook="northshire")] == [c.id, a.id]
    assert [x.id for x in queries.conferences(state=ConferenceState.ALLOCATED)] == [a.id]
    assert [x.id for x in queries.conferences(chair="chair@sandbox.test")] == [a.id]
    assert [x.id for x in queries.conferences(limit=1, offset=1)] == [b.id]
    assert all(x.participants == () and x.children == () for x in queries.conferences())
    assert queries.counts_by_state() == repo.count_by_state()


def test_timeline_triage_and_the_request_email_are_readable(
    stores: tuple[Repository, StatusQueries],
) -> None:
    repo, queries = stores
    conference = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    repo.append_timeline(conference.id, actor="mts", kind="allocated")
    assert queries.timeline(conference.id) == repo.timeline(conference.id)
    stored, _ = repo.record_request(
        message_id="AAMkAD-read",
        mailbox="requests@sandbox.test",
        received_at=RECEIVED,
        sender="worker@sandbox.test",
        subject="ICPC request",
        body="Child: T.R.",
    )
    item = repo.open_triage(stored.id, ["no strategy discussion date"])
    [listed] = queries.triage_items()
    assert listed == repo.list_triage()[0] and listed.subject == "ICPC request"
    assert queries.request_email(item.request_id) == repo.get_request(stored.id)
    repo.resolve_triage(item.id, by="mts", resolution="done")
    assert queries.triage_items() == [] and len(queries.triage_items(state=None)) == 1
    with pytest.raises(NotFound):
        queries.request_email(999)


def test_documents_are_listed_without_their_content(
    stores: tuple[Repository, StatusQueries],
) -> None:
    repo, queries = stores
    conference = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    repo.add_document(
        conference.id,
        name="police-report.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.4 fictional",
        restricted=True,
        from_role=Role.POLICE,
    )
    [doc] = queries.documents(conference.id)
    assert (doc.name, doc.size, doc.restricted, doc.from_role) == (
        "police-report.pdf",
        len(b"%PDF-1.4 fictional"),
        True,
        Role.POLICE,
    )
    assert not hasattr(doc, "content")
    assert doc.received_at.tzinfo is not None


def test_the_read_side_never_loads_the_repository() -> None:
    # bot.web may import bot.store.queries; that must not bring the write side with it.
    code = (
        "import sys, bot.store.queries; "
        "bad = [m for m in ('bot.store.repository', 'bot.store.conferences', "
        "'bot.store.requests', 'bot.store.timeline') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
