"""Migration 0008: sessions, sign-in codes and API tokens, on SQLite and (when set) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.core.access import CodeRefusal
from bot.core.actions import Actor
from bot.store.access import AccessStore
from bot.store.database import Database

PAT = Actor("pat.mts@council.example", "mts")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.upgrade()
    yield db
    db.dispose()


def _every_stored_value(database: Database) -> str:
    """Every value in the three access tables, as one text to search."""
    with database.engine.connect() as connection:
        return repr(
            [
                tuple(row)
                for table in ("web_session", "sign_in_code", "api_token")
                for row in connection.execute(sa.text(f"SELECT * FROM {table}"))
            ]
        )


def test_a_session_signs_in_until_it_is_ended_or_expires(database: Database) -> None:
    clock = Clock()
    store = AccessStore(database, clock=clock)
    first = store.start_session(PAT)
    second = store.start_session(PAT)
    assert first != second and store.session(first) == PAT
    assert store.end_session(first) and store.session(first) is None
    clock.now += timedelta(hours=7, minutes=59)
    assert store.session(second) == PAT
    clock.now += timedelta(minutes=1)
    assert store.session(second) is None  # eight hours, as the cookie's lifetime


def test_revoking_a_person_ends_all_their_sessions_and_no_one_elses(database: Database) -> None:
    store = AccessStore(database)
    mine = [store.start_session(PAT) for _ in range(2)]
    other = store.start_session(Actor("sam.chair@council.example", "chair"))
    assert store.end_sessions_of(PAT.user) == 2
    assert [store.session(s) for s in mine] == [None, None]
    assert store.session(other) is not None
    assert [s.user for s in store.sessions()] == ["sam.chair@council.example"]


def test_an_unknown_or_forged_session_id_signs_nobody_in(database: Database) -> None:
    store = AccessStore(database)
    real = store.start_session(PAT)
    assert store.session(real + "x") is None
    assert store.session("") is None
    assert store.session("pat.mts@council.example|admin|9999999999|00") is None


def test_a_sign_in_code_works_once_and_only_for_minutes(database: Database) -> None:
    clock = Clock()
    store = AccessStore(database, clock=clock)
    code = store.issue_code(PAT)
    assert store.redeem_code(code) == PAT
    assert store.redeem_code(code) is CodeRefusal.USED
    late = store.issue_code(PAT)
    clock.now += timedelta(minutes=15)
    assert store.redeem_code(late) is CodeRefusal.EXPIRED
    assert store.redeem_code("made-up") is CodeRefusal.UNKNOWN


def test_a_token_acts_for_its_owner_until_revoked(database: Database) -> None:
    store = AccessStore(database)
    record, secret = store.create_token(PAT, "nightly export", created_by="admin-token")
    assert secret.startswith("confbot_") and record.active
    assert store.token(secret) == PAT
    assert store.token(secret + "x") is None
    revoked = store.revoke_token(record.id)
    assert revoked is not None and not revoked.active
    assert store.token(secret) is None
    assert store.revoke_token(record.id + 100) is None
    [listed] = store.tokens()
    assert (listed.user, listed.label, listed.created_by) == (
        PAT.user,
        "nightly export",
        "admin-token",
    )


def test_the_store_holds_hashes_never_the_secrets(database: Database) -> None:
    store = AccessStore(database)
    secrets = [
        store.start_session(PAT),
        store.issue_code(PAT),
        store.create_token(PAT, "script", created_by="admin-token")[1],
    ]
    stored = _every_stored_value(database)
    assert PAT.user in stored  # the rows are there
    for secret in secrets:
        assert secret not in stored
        assert secret.removeprefix("confbot_") not in stored


def test_downgrade_from_0008_drops_the_access_tables(database: Database) -> None:
    from alembic import command

    tables = {"web_session", "sign_in_code", "api_token"}
    assert tables <= set(sa.inspect(database.engine).get_table_names())
    command.downgrade(database._alembic_config(), "0007_outbox_delivery")
    assert not tables & set(sa.inspect(database.engine).get_table_names())
    database.upgrade()
    assert tables <= set(sa.inspect(database.engine).get_table_names())
