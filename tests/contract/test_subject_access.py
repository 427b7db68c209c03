"""Subject access and erasure, on SQLite and PostgreSQL: one family's data, and no other's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from bot.core.conference import CaseReference, ConferenceState, ConferenceType, Role
from bot.core.subject_report import render_report
from bot.store.database import Database
from bot.store.outbox import OutboxRecords
from bot.store.repository import NewChild, NewParticipant, Repository
from bot.store.retention import LegalHolds
from bot.store.subject import ErasureRefused, Lookup, SubjectAccess


@dataclass(frozen=True)
class Family:
    """A fictional family's details."""

    parent: str
    email: str
    phone: str
    initials: str
    case_reference: str


ONE = Family("Sam Brookfield", "sam.brookfield@family.test", "07700 900111", "JB", "LCS-1001")
TWO = Family("Jo Ashworth", "jo.ashworth@family.test", "07700 900222", "KA", "LCS-2002")
WORKER = "worker@council.test"


@pytest.fixture
def repo(database_url: str) -> Iterator[Repository]:
    database = Database(database_url)
    database.upgrade()
    yield Repository(database)
    database.dispose()


def _conference(repo: Repository, family: Family, kind: ConferenceType) -> int:
    conference = repo.create_conference(
        playbook="northmoor",
        conference_type=kind,
        participants=[
            NewParticipant(
                Role.PARENT,
                family.parent,
                email=family.email,
                phone=family.phone,
                relationship="mother",
            ),
            NewParticipant(Role.SOCIAL_WORKER, "Alex Worker", email=WORKER),
        ],
        children=[
            NewChild(
                family.initials,
                date_of_birth=date(2019, 4, 1),
                case_references=(CaseReference("LCS", family.case_reference, primary=True),),
            )
        ],
    )
    outbox = OutboxRecords(repo.db)
    for recipients, purpose in (([family.email], "parent_letter"), ([WORKER], "invite")):
        outbox.record(
            conference_id=conference.id,
            channel="email",
            sender="requests@council.test",
            purpose=purpose,
            recipients=recipients,
            subject=f"Conference {conference.reference}",
            state="sent",
        )
    repo.append_timeline(conference.id, actor="mts", kind="booked")
    return conference.id


@pytest.fixture
def families(repo: Repository) -> dict[str, int]:
    return {
        "one_icpc": _conference(repo, ONE, ConferenceType.ICPC),
        "one_rcpc": _conference(repo, ONE, ConferenceType.RCPC),
        "two_icpc": _conference(repo, TWO, ConferenceType.ICPC),
    }


def _text(export: dict[str, object]) -> str:
    return json.dumps(export, default=str)


def test_a_parents_export_holds_every_conference_and_message_for_them_and_nothing_of_another_family(
    repo: Repository, families: dict[str, int]
) -> None:
    export = SubjectAccess(repo.db).export(Lookup("email", ONE.email.upper()))
    assert export["found"]
    ids = {c["conference_id"] for c in export["conferences"]}
    assert ids == {families["one_icpc"], families["one_rcpc"]}
    for conference in export["conferences"]:
        assert [m["purpose"] for m in conference["messages"]] == ["parent_letter"]
        assert conference["records"][0]["phones"] == [ONE.phone]
        assert conference["children"][0]["initials"] == ONE.initials
        assert [e["kind"] for e in conference["timeline"]] == ["booked"]
    text = _text(export)
    for other in (TWO.parent, TWO.email, TWO.phone, TWO.case_reference, "Alex Worker", WORKER):
        assert other not in text
    assert ONE.parent in render_report(export)


def test_a_person_is_found_by_phone_name_or_a_childs_case_reference(
    repo: Repository, families: dict[str, int]
) -> None:
    access = SubjectAccess(repo.db)
    by_phone = access.export(Lookup("phone", "+44 7700 900111"))
    by_name = access.export(Lookup("name", "  sam   BROOKFIELD "))
    by_child = access.export(Lookup("case_reference", "lcs-1001"))
    for export in (by_phone, by_name, by_child):
        ids = {c["conference_id"] for c in export["conferences"]}
        assert ids == {families["one_icpc"], families["one_rcpc"]}
        assert TWO.parent not in _text(export)


def test_an_unknown_person_gets_an_empty_report_that_says_so(
    repo: Repository, families: dict[str, int]
) -> None:
    export = SubjectAccess(repo.db).export(Lookup("email", "nobody@family.test"))
    assert not export["found"] and export["conferences"] == []
    assert "Nothing was found" in render_report(export)


def test_erasing_a_live_conferences_participant_is_refused_with_the_reason(
    repo: Repository, families: dict[str, int]
) -> None:
    parent = repo.get_conference(families["one_icpc"]).participants[0]
    with pytest.raises(ErasureRefused, match="still requested"):
        SubjectAccess(repo.db).erase(parent.id, by="dpo@council.test", because="erasure request")
    assert repo.get_conference(families["one_icpc"]).participants[0].email == ONE.email


def test_erasure_of_a_held_conference_is_refused(
    repo: Repository, families: dict[str, int]
) -> None:
    cid = families["one_icpc"]
    repo.update_conference(cid, state=ConferenceState.CONCLUDED)
    LegalHolds(repo.db).set_hold(cid, "claim", "admin@council.test")
    parent = repo.get_conference(cid).participants[0]
    with pytest.raises(ErasureRefused, match="legal hold"):
        SubjectAccess(repo.db).erase(parent.id, by="dpo@council.test", because="request")


def test_erasure_removes_contact_details_and_messages_and_leaves_a_tombstone(
    repo: Repository, families: dict[str, int]
) -> None:
    cid = families["one_icpc"]
    repo.update_conference(cid, state=ConferenceState.CONCLUDED)
    parent = repo.get_conference(cid).participants[0]
    SubjectAccess(repo.db).erase(parent.id, by="dpo@council.test", because="Article 17 request")
    erased = repo.get_conference(cid).participants[0]
    assert (erased.name, erased.email, erased.phone, erased.postal_address) == (
        "[erased]",
        None,
        None,
        "",
    )
    tombstone = repo.timeline(cid)[-1]
    assert tombstone.kind == "participant_erased"
    assert tombstone.detail == {
        "participant_id": parent.id,
        "by": "dpo@council.test",
        "because": "Article 17 request",
    }
    export = SubjectAccess(repo.db).export(Lookup("email", ONE.email))
    assert {c["conference_id"] for c in export["conferences"]} == {families["one_rcpc"]}
