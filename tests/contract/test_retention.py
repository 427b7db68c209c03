"""The retention purge, on SQLite and PostgreSQL, over a filled store on a moved clock.

It removes exactly what is due, never a held conference or one with an open follow-up, and
its dry run counts exactly what the purge then removes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select

from bot.core.actions import Actor
from bot.core.conference import ConferenceState, ConferenceType, Role
from bot.core.retention import RecordKind
from bot.runtime.durable import DurableScheduler
from bot.runtime.scheduler import Job
from bot.settings_retention import RetentionSettings
from bot.store.access import AccessStore
from bot.store.audit_models import ViewAuditRow
from bot.store.database import Database
from bot.store.models import ConferenceRequestRow, ConferenceRow, ParticipantRow, TriageItemRow
from bot.store.outbox import OutboxRecords
from bot.store.repository import NewParticipant, Repository
from bot.store.retention import LegalHolds, RetentionStore

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
POLICY = RetentionSettings().policy()


@dataclass
class Clock:
    """A clock the test moves."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[Database, Clock]]:
    database = Database(database_url)
    database.upgrade()
    yield database, Clock(START)
    database.dispose()


def _conference(repo: Repository, state: ConferenceState, n: int) -> int:
    stored, _ = repo.record_request(
        message_id=f"AAMk-{n}",
        mailbox="requests@sandbox.test",
        received_at=repo.clock(),
        sender="worker@sandbox.test",
        subject="ICPC request",
        body="Mother: Alex Example, 07700 900123",
    )
    conference = repo.create_conference(
        playbook="northmoor",
        conference_type=ConferenceType.ICPC,
        request_id=stored.id,
        participants=[NewParticipant(Role.PARENT, f"Parent {n}", phone="07700 900123")],
    )
    repo.update_conference(conference.id, state=state)
    return conference.id


def _triage(repo: Repository, n: int, *, resolve: bool) -> int:
    stored, _ = repo.record_request(
        message_id=f"AAMk-t{n}",
        mailbox="requests@sandbox.test",
        received_at=repo.clock(),
        sender="worker@sandbox.test",
        subject="help",
        body="unreadable",
    )
    item = repo.open_triage(stored.id, ["no conference type"])
    if resolve:
        repo.resolve_triage(item.id, by="mts@sandbox.test", resolution="rejected")
    return stored.id


def _pending_job(url: str, conference_id: int) -> None:
    async def store_job() -> None:
        async def never(_job: Job) -> None:
            raise AssertionError("a paused scheduler ran a job")

        engine = create_engine(url)
        scheduler = DurableScheduler(engine, timedelta(hours=1))
        scheduler.start(never, paused=True)
        scheduler.add(Job(START + timedelta(days=900), conference_id, "aftercare.review", "f"))
        scheduler.shutdown()
        engine.dispose()

    asyncio.run(store_job())


def _fill(database: Database, clock: Clock) -> dict[str, int]:
    repo = Repository(database, clock)
    ids = {
        "old": _conference(repo, ConferenceState.CONCLUDED, 1),
        "held": _conference(repo, ConferenceState.CANCELLED, 2),
        "following_up": _conference(repo, ConferenceState.CONCLUDED, 3),
        "live": _conference(repo, ConferenceState.SCHEDULED, 4),
    }
    LegalHolds(database, clock).set_hold(ids["held"], "insurance claim", "admin@sandbox.test")
    _pending_job(database.url.render_as_string(hide_password=False), ids["following_up"])
    ids["open_triage_request"] = _triage(repo, 1, resolve=False)
    ids["resolved_triage_request"] = _triage(repo, 2, resolve=True)
    access = AccessStore(database, clock)
    access.start_session(Actor("chair@sandbox.test", "chair"))
    access.issue_code(Actor("admin@sandbox.test", "admin"))
    OutboxRecords(database, clock).record(
        conference_id=None,
        channel="email",
        sender="requests@sandbox.test",
        purpose="triage.acknowledge",
        recipients=["worker@sandbox.test"],
        subject="We could not read your request",
        state="sent",
    )
    with database.session() as session:
        session.add(
            ViewAuditRow(
                at=clock(),
                user_name="mts@sandbox.test",
                role="mts",
                conference_id=ids["old"],
                what="page",
            )
        )
    clock.now = START + timedelta(days=300)
    ids["recent"] = _conference(repo, ConferenceState.CONCLUDED, 5)
    return ids


def _count(database: Database, model: type, **where: object) -> int:
    with database.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def test_the_purge_removes_exactly_what_is_due_and_the_dry_run_said_so(
    world: tuple[Database, Clock],
) -> None:
    database, clock = world
    ids = _fill(database, clock)
    clock.now = START + timedelta(days=400)
    store = RetentionStore(database, clock)

    dry = store.report(POLICY)
    done = store.purge(POLICY)

    assert done.counts == dry.counts
    assert dry.counts == {
        RecordKind.REQUEST_EMAIL: 5,  # four conferences' emails and the resolved triage one
        RecordKind.TRIAGE_ITEM: 1,
        RecordKind.CONFERENCE: 1,
        RecordKind.OUTBOX: 1,
        RecordKind.WEB_SESSION: 1,
        RecordKind.SIGN_IN_CODE: 1,
        RecordKind.VIEW_AUDIT: 0,  # kept two years
    }
    assert (dry.held, dry.following_up) == (1, 1)
    assert _count(database, ConferenceRow, id=ids["old"]) == 0
    assert _count(database, ParticipantRow, conference_id=ids["old"]) == 0
    for kept in ("held", "following_up", "live", "recent"):
        assert _count(database, ConferenceRow, id=ids[kept]) == 1, kept
    assert _count(database, TriageItemRow, state="open") == 1
    assert store.report(POLICY).total == 0, "a second purge finds nothing left"


def test_a_held_conference_is_never_purged_however_old(world: tuple[Database, Clock]) -> None:
    database, clock = world
    ids = _fill(database, clock)
    clock.now = START + timedelta(days=3650)
    RetentionStore(database, clock).purge(POLICY)
    assert _count(database, ConferenceRow, id=ids["held"]) == 1
    assert _count(database, ParticipantRow, conference_id=ids["held"]) == 1
    with database.session() as session:
        body = session.scalar(
            select(ConferenceRequestRow.body).where(
                ConferenceRequestRow.conference_id == ids["held"]
            )
        )
    assert body, "a held conference keeps its request email too"


def test_a_purged_request_email_keeps_its_message_id_so_a_resync_does_not_read_it_again(
    world: tuple[Database, Clock],
) -> None:
    database, clock = world
    _fill(database, clock)
    clock.now = START + timedelta(days=400)
    RetentionStore(database, clock).purge(POLICY)
    repo = Repository(database, clock)
    _stored, new = repo.record_request(
        message_id="AAMk-1",
        mailbox="requests@sandbox.test",
        received_at=clock(),
        sender="worker@sandbox.test",
        subject="ICPC request",
        body="again",
    )
    assert not new
    with database.session() as session:
        bodies = session.scalars(
            select(ConferenceRequestRow.body).where(ConferenceRequestRow.message_id == "AAMk-1")
        ).all()
    assert bodies == [""]


def test_nothing_is_due_before_its_period_ends(world: tuple[Database, Clock]) -> None:
    database, clock = world
    _fill(database, clock)
    clock.now = START + timedelta(hours=12)
    assert RetentionStore(database, clock).report(POLICY).total == 0
