"""What replicas sharing one database read and write at start and on taking the lead.

On SQLite and, when the tests have a server, PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bot.core.conference import ConferenceState, ConferenceType
from bot.runtime.mailbox import client_state_for
from bot.store.database import Database
from bot.store.repository import Repository

MAILBOX = "cp.requests@example.org"
REPLICAS = 8


def test_replicas_starting_together_on_a_fresh_database_share_one_client_state(
    database_url: str,
) -> None:
    Database(database_url).upgrade()
    ready = threading.Barrier(REPLICAS)
    databases = [Database(database_url) for _ in range(REPLICAS)]

    def start(database: Database) -> str:
        repository = Repository(database)
        assert repository.get_state(f"client-state:{MAILBOX}") is None  # a fresh database
        ready.wait(10)  # every replica has looked, and found none, before any writes
        return client_state_for(repository, MAILBOX)

    try:
        with ThreadPoolExecutor(REPLICAS) as pool:
            held = list(pool.map(start, databases))
        stored = Repository(databases[0]).get_state(f"client-state:{MAILBOX}")
    finally:
        for database in databases:
            database.dispose()
    assert stored is not None
    assert held == [stored] * REPLICAS


def test_setdefault_state_keeps_the_first_value_and_never_replaces_it(database_url: str) -> None:
    database = Database(database_url)
    try:
        database.upgrade()
        repository = Repository(database)
        assert repository.setdefault_state("client-state:x", "first") == "first"
        assert repository.setdefault_state("client-state:x", "second") == "first"
        assert repository.get_state("client-state:x") == "first"
    finally:
        database.dispose()


def test_a_new_leader_finds_recently_concluded_conferences_by_their_timeline(
    database_url: str,
) -> None:
    database = Database(database_url)
    try:
        database.upgrade()
        repo = Repository(database)
        now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
        ids = []
        for state, at in (
            (ConferenceState.CONCLUDED, now - timedelta(days=1)),  # recent: asked
            (ConferenceState.CONCLUDED, now - timedelta(days=400)),  # long settled: not
            (ConferenceState.SCHEDULED, now - timedelta(days=1)),  # not concluded: not
        ):
            conference = repo.create_conference(playbook="p", conference_type=ConferenceType.ICPC)
            repo.update_conference(conference.id, state=state)
            repo.append_timeline(conference.id, actor="confbot", kind="followups_scheduled", at=at)
            repo.append_timeline(conference.id, actor="confbot", kind="other", at=now)
            ids.append(conference.id)
        since = now - timedelta(days=30)
        found = repo.conferences_with(["followups_scheduled"], since, ConferenceState.CONCLUDED)
        assert found == [ids[0]]
    finally:
        database.dispose()
