"""Migration 0006: triage items keep what was read, and tell threshold discussions apart.

Run on SQLite always and on PostgreSQL when ``CONFBOT_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.store.database import Database
from bot.store.repository import Repository

BEFORE = "0005_child_record"
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)

_request = sa.table(
    "conference_request",
    sa.column("id", sa.Integer),
    sa.column("message_id", sa.String),
    sa.column("mailbox", sa.String),
    sa.column("received_at", sa.DateTime(timezone=True)),
    sa.column("sender", sa.String),
    sa.column("subject", sa.String),
    sa.column("body", sa.Text),
    sa.column("body_type", sa.String),
    sa.column("outcome", sa.String),
    sa.column("internet_message_id", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_triage = sa.table(
    "triage_item",
    sa.column("id", sa.Integer),
    sa.column("request_id", sa.Integer),
    sa.column("reasons", sa.JSON),
    sa.column("state", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _item_at_0005(database: Database) -> int:
    """A triage item as it was stored before 0006: reasons only."""
    with database.engine.begin() as connection:
        request_id = connection.execute(
            _request.insert()
            .values(
                message_id="AAMkAG-triage-0005",
                mailbox="cp.requests@example.org",
                received_at=NOW,
                sender="sw@example.org",
                subject="Conference please",
                body="Please book a conference.",
                body_type="text",
                outcome="triage",
                internet_message_id="",
                created_at=NOW,
            )
            .returning(_request.c.id)
        ).scalar_one()
        return int(
            connection.execute(
                _triage.insert()
                .values(
                    request_id=request_id,
                    reasons=["no conference type"],
                    state="open",
                    created_at=NOW,
                )
                .returning(_triage.c.id)
            ).scalar_one()
        )


def test_an_item_from_before_0006_is_a_request_item_with_nothing_read(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade(BEFORE)
    item_id = _item_at_0005(database)
    database.upgrade()
    repository = Repository(database)
    [item] = repository.list_triage()
    database.dispose()
    assert item.id == item_id
    assert (item.kind, item.draft, item.problems, item.summary) == ("request", None, (), "")
    assert item.sources == {} and item.notified_at is None
    assert item.reasons == ("no conference type",)


def test_a_threshold_item_keeps_its_draft_summary_and_notice_after_0006(
    database_url: str,
) -> None:
    database = Database(database_url)
    database.upgrade()
    repository = Repository(database)
    stored, _ = repository.record_request(
        message_id="AAMkAG-threshold",
        mailbox="cp.requests@example.org",
        received_at=NOW,
        sender="sw@example.org",
        subject="Threshold discussion",
        body="Could I have a threshold discussion?",
        body_type="text",
        internet_message_id="",
    )
    draft = {"conference_type": None, "children": [{"initials": "A.B."}], "people": []}
    opened = repository.open_triage(
        stored.id,
        ["asks for a threshold discussion"],
        draft=draft,
        problems=[{"field": "children.0.date_of_birth", "message": "no date of birth"}],
        sources={"children.0.initials": "line 3"},
        kind="threshold",
        summary="School raised new concerns.",
    )
    repository.mark_triage_notified(opened.id)
    item = repository.triage_for_request(stored.id)
    database.dispose()
    assert item is not None
    assert (item.kind, item.summary) == ("threshold", "School raised new concerns.")
    assert item.draft == draft
    assert item.problems == ({"field": "children.0.date_of_birth", "message": "no date of birth"},)
    assert item.sources == {"children.0.initials": "line 3"}
    assert item.notified_at is not None


def test_downgrade_from_0006_drops_the_new_columns_and_keeps_the_item(database_url: str) -> None:
    from alembic import command

    database = Database(database_url)
    database.upgrade(BEFORE)
    item_id = _item_at_0005(database)
    database.upgrade()
    command.downgrade(database._alembic_config(), BEFORE)
    columns = {c["name"] for c in sa.inspect(database.engine).get_columns("triage_item")}
    with database.engine.connect() as connection:
        reasons = connection.scalar(sa.select(_triage.c.reasons).where(_triage.c.id == item_id))
    database.dispose()
    assert not columns & {"kind", "draft", "problems", "sources", "summary", "notified_at"}
    assert reasons == ["no conference type"]
