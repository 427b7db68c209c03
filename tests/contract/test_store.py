"""The repository contract, run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.conference import (
    CaseReference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Role,
)
from bot.core.errors import NotFound
from bot.core.reference import REFERENCE_PATTERN
from bot.store.database import Database
from bot.store.repository import NewChild, NewParticipant, Repository

RECEIVED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def repo(database_url: str) -> Iterator[Repository]:
    database = Database(database_url)
    database.upgrade()
    yield Repository(database)
    database.dispose()


def _request(repo: Repository, message_id: str = "AAMkAD-1") -> int:
    stored, _ = repo.record_request(
        message_id=message_id,
        mailbox="requests@sandbox.test",
        received_at=RECEIVED,
        sender="worker@sandbox.test",
        subject="ICPC request",
        body="Conference type: ICPC",
    )
    return stored.id


def test_migrations_create_every_table_and_leave_the_database_current(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    assert {"conference", "participant", "timeline_entry", "triage_item"} <= set(
        database.table_names()
    )
    assert database.is_current()
    database.dispose()


def test_replayed_request_email_is_recorded_once(repo: Repository) -> None:
    first, created = repo.record_request(
        message_id="AAMkAD-replay",
        mailbox="requests@sandbox.test",
        received_at=RECEIVED,
        sender="worker@sandbox.test",
        subject="s",
        body="b",
    )
    again, created_again = repo.record_request(
        message_id="AAMkAD-replay",
        mailbox="requests@sandbox.test",
        received_at=RECEIVED,
        sender="worker@sandbox.test",
        subject="s",
        body="b",
    )
    assert created and not created_again
    assert again.id == first.id
    assert repo.get_request(first.id).received_at == RECEIVED


def test_new_conference_gets_a_unique_reference_and_keeps_its_participants(
    repo: Repository,
) -> None:
    one = repo.create_conference(
        playbook="northshire",
        conference_type=ConferenceType.ICPC,
        strategy_discussion=date(2026, 11, 2),
        participants=[
            NewParticipant(Role.PARENT, "Alex Example", phone="+447700900123", held_back=True),
            NewParticipant(Role.SOCIAL_WORKER, "Sam Sample", email="sam@sandbox.test"),
        ],
    )
    two = repo.create_conference(playbook="northshire", conference_type=ConferenceType.RCPC)
    assert REFERENCE_PATTERN.fullmatch(one.reference)
    assert one.reference != two.reference
    loaded = repo.get_conference(one.id)
    assert [p.role for p in loaded.participants] == [Role.PARENT, Role.SOCIAL_WORKER]
    assert loaded.participants[0].held_back
    assert loaded.strategy_discussion == date(2026, 11, 2)
    assert repo.find_conference(one.reference) == loaded


def test_conference_updates_keep_units_and_timezones(repo: Repository) -> None:
    conference = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    start = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    updated = repo.update_conference(
        conference.id,
        state=ConferenceState.SCHEDULED,
        meeting_format=MeetingFormat.TEAMS,
        start_at=start,
        length=timedelta(hours=2),
        confidential_length=timedelta(minutes=20),
        chair="chair@sandbox.test",
    )
    again = repo.get_conference(conference.id)
    assert again == updated
    assert again.start_at == start
    assert again.length == timedelta(hours=2)
    assert again.confidential_length == timedelta(minutes=20)
    assert again.meeting_format is MeetingFormat.TEAMS


def test_updating_an_unknown_conference_field_is_refused(repo: Repository) -> None:
    conference = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    with pytest.raises(TypeError, match="colour"):
        repo.update_conference(conference.id, colour="red")


def test_list_views_carry_no_participants(repo: Repository) -> None:
    repo.create_conference(
        playbook="p",
        conference_type=ConferenceType.ICPC,
        participants=[NewParticipant(Role.PARENT, "Alex Example", phone="+447700900123")],
    )
    listed = repo.list_conferences()
    assert len(listed) == 1
    assert listed[0].participants == ()


def test_list_filters_by_state_and_chair_and_counts_by_state(repo: Repository) -> None:
    a = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    repo.update_conference(a.id, state=ConferenceState.ALLOCATED, chair="chair@sandbox.test")
    assert [c.id for c in repo.list_conferences(state=ConferenceState.ALLOCATED)] == [a.id]
    assert [c.id for c in repo.list_conferences(chair="chair@sandbox.test")] == [a.id]
    assert repo.count_by_state() == {ConferenceState.ALLOCATED: 1, ConferenceState.REQUESTED: 1}


def test_timeline_is_append_only_and_ordered(repo: Repository) -> None:
    conference = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    later = datetime(2026, 11, 3, tzinfo=UTC)
    earlier = datetime(2026, 11, 2, tzinfo=UTC)
    repo.append_timeline(conference.id, actor="mts", kind="allocated", at=later)
    repo.append_timeline(
        conference.id, actor="confbot", kind="requested", at=earlier, detail={"n": 1}
    )
    entries = repo.timeline(conference.id)
    assert [e.kind for e in entries] == ["requested", "allocated"]
    assert entries[0].detail == {"n": 1}
    assert not hasattr(repo, "update_timeline") and not hasattr(repo, "delete_timeline")


def test_step_idempotency_check_sees_recorded_steps(repo: Repository) -> None:
    conference = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    assert not repo.has_step(conference.id, "icpc.reports[0]", "sent")
    repo.append_timeline(conference.id, actor="confbot", kind="sent", step_id="icpc.reports[0]")
    assert repo.has_step(conference.id, "icpc.reports[0]", "sent")


def test_unreadable_request_waits_in_triage_with_its_reasons_until_resolved(
    repo: Repository,
) -> None:
    request_id = _request(repo)
    item = repo.open_triage(request_id, ["no conference type", "no child"])
    assert repo.open_triage(request_id, ["again"]).id == item.id  # one item per request
    [listed] = repo.list_triage()
    assert listed.reasons == ("no conference type", "no child")
    assert listed.subject == "ICPC request"
    assert repo.get_request(request_id).outcome == "triage"
    resolved = repo.resolve_triage(item.id, by="mts-1", resolution="created CP-2026-00001")
    assert resolved.state == "resolved" and resolved.resolved_by == "mts-1"
    assert repo.list_triage() == []
    assert len(repo.list_triage(state=None)) == 1


def test_missing_records_raise_not_found(repo: Repository) -> None:
    with pytest.raises(NotFound):
        repo.get_conference(999)
    with pytest.raises(NotFound):
        repo.resolve_triage(999, by="x", resolution="y")


def test_sync_state_stores_and_replaces_values(repo: Repository) -> None:
    assert repo.get_state("delta:requests") is None
    repo.set_state("delta:requests", "link-1")
    repo.set_state("delta:requests", "link-2")
    assert repo.get_state("delta:requests") == "link-2"


def test_migrations_match_the_models_exactly(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.tables import metadata

    database = Database(database_url)
    database.upgrade()
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    database.dispose()
    assert differences == []


def test_documents_keep_their_content_and_restriction(repo: Repository) -> None:
    conference = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
    repo.add_document(
        conference.id,
        name="police-report.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.4 fictional",
        restricted=True,
        from_role=Role.POLICE,
    )
    [doc] = repo.documents(conference.id)
    assert doc.restricted and doc.from_role is Role.POLICE
    assert doc.content == b"%PDF-1.4 fictional"


def test_a_request_becomes_at_most_one_conference(repo: Repository) -> None:
    request_id = _request(repo)
    first = repo.create_conference(
        playbook="p", conference_type=ConferenceType.ICPC, request_id=request_id
    )
    again = repo.create_conference(
        playbook="p", conference_type=ConferenceType.ICPC, request_id=request_id
    )
    assert again.id == first.id
    assert len(repo.list_conferences()) == 1
    stored = repo.get_request(request_id)
    assert stored.outcome == "parsed" and stored.conference_id == first.id


def test_children_are_kept_by_initials_with_dates_and_case_references(repo: Repository) -> None:
    conference = repo.create_conference(
        playbook="p",
        conference_type=ConferenceType.ICPC,
        children=[
            NewChild(
                "T.R.",
                date_of_birth=date(2018, 3, 2),
                case_references=(
                    CaseReference("LCS", "123456", primary=True),
                    CaseReference("EHM", "EH-77"),
                ),
                gender="female",
                legal_status="child protection plan",
                own_email="tr@sandbox.test",
                contact_permission_noted=True,
                advocate="Northshire Advocacy",
            ),
            NewChild("U.B.", unborn=True, expected_date=date(2027, 1, 20)),
        ],
    )
    first, unborn = repo.get_conference(conference.id).children
    assert conference.children == (first, unborn)
    assert first.date_of_birth == date(2018, 3, 2)
    assert first.case_reference == "123456"
    assert [r.system for r in first.case_references] == ["LCS", "EHM"]
    assert first.own_email == "tr@sandbox.test" and first.contact_permission_noted
    assert (first.gender, first.legal_status, first.advocate) == (
        "female",
        "child protection plan",
        "Northshire Advocacy",
    )
    assert unborn.unborn and unborn.expected_date == date(2027, 1, 20)
    assert unborn.date_of_birth is None and unborn.case_reference is None
    assert repo.list_conferences()[0].children == ()  # no personal data in lists


def test_participant_keeps_relationship_address_and_every_email_and_phone(
    repo: Repository,
) -> None:
    conference = repo.create_conference(
        playbook="p",
        conference_type=ConferenceType.ICPC,
        participants=[
            NewParticipant(
                Role.PARENT,
                "Alex Example",
                relationship="maternal grandmother",
                postal_address="1 Example Row, Northshire, NS1 1AA",
                emails=("alex@sandbox.test", "alex.safe@sandbox.test"),
                phones=("+447700900101", "+447700900102"),
            ),
            NewParticipant(Role.SOCIAL_WORKER, "Sam Sample", email="sam@sandbox.test"),
        ],
    )
    parent, worker = repo.get_conference(conference.id).participants
    assert parent.relationship == "maternal grandmother" and parent.organisation == ""
    assert parent.postal_address.startswith("1 Example Row")
    assert parent.emails == ("alex@sandbox.test", "alex.safe@sandbox.test")
    assert parent.email == "alex@sandbox.test"
    assert parent.phones == ("+447700900101", "+447700900102")
    assert parent.phone == "+447700900101"
    assert worker.emails == ("sam@sandbox.test",) and worker.phones == ()


def test_a_follow_on_conference_copies_every_child_and_participant_fact(
    repo: Repository,
) -> None:
    first = repo.create_conference(
        playbook="p",
        conference_type=ConferenceType.ICPC,
        participants=[
            NewParticipant(
                Role.PARENT,
                "Alex Example",
                relationship="mother",
                postal_address="1 Example Row",
                emails=("a@sandbox.test", "b@sandbox.test"),
                phones=("+447700900101", "+447700900102"),
            )
        ],
        children=[
            NewChild(
                "T.R.",
                date_of_birth=date(2018, 3, 2),
                case_references=(CaseReference("LCS", "123456", primary=True),),
                advocate="Northshire Advocacy",
            )
        ],
    )
    review = repo.create_conference(
        playbook="p",
        conference_type=ConferenceType.RCPC,
        participants=[NewParticipant.copy_of(p) for p in first.participants],
        children=[NewChild.copy_of(c) for c in first.children],
    )
    strip = {"id": 0}
    assert [replace(c, **strip) for c in review.children] == [
        replace(c, **strip) for c in first.children
    ]
    assert [replace(p, **strip) for p in review.participants] == [
        replace(p, **strip) for p in first.participants
    ]
