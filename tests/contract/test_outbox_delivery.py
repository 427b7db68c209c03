"""Migration 0007 and the outbox's exactly-once record, on SQLite and (when set) PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from bot.core.conference import ConferenceType
from bot.store.database import Database
from bot.store.outbox import NOT_SENT, SENDING, SENT, UNCLEAR, OutboxRecords
from bot.store.repository import Repository

SENDER = "cp.requests@example.org"


def test_each_message_has_one_standing_by_key_across_attempts(database_url: str) -> None:
    database = Database(database_url)
    try:
        database.upgrade()
        conference = Repository(database).create_conference(
            playbook="lancashire", conference_type=ConferenceType.ICPC
        )
        records = OutboxRecords(database)
        assert records.delivery("k1") is None
        first = records.begin("k1", conference_id=conference.id, sender=SENDER, purpose="ack")
        assert (first.state, first.attempts) == (SENDING, 1)
        records.settle("k1", UNCLEAR)
        again = records.begin("k1", conference_id=conference.id, sender=SENDER, purpose="ack")
        assert (again.state, again.attempts) == (SENDING, 2)
        assert again.first_attempt_at == first.first_attempt_at
        assert again.last_attempt_at.utcoffset() is not None
        records.settle("k1", SENT)
        records.begin("k2", conference_id=None, sender=SENDER, purpose="threshold_notice")
        records.settle("k2", NOT_SENT)
        standing = {k: records.delivery(k) for k in ("k1", "k2")}
        assert {k: d.state for k, d in standing.items() if d} == {"k1": SENT, "k2": NOT_SENT}
    finally:
        database.dispose()


def test_downgrade_from_0007_drops_the_delivery_table(database_url: str) -> None:
    from alembic import command

    database = Database(database_url)
    try:
        database.upgrade()
        assert "outbox_delivery" in sa.inspect(database.engine).get_table_names()
        command.downgrade(database._alembic_config(), "0006_triage_draft")
        assert "outbox_delivery" not in sa.inspect(database.engine).get_table_names()
        database.upgrade()
        assert "outbox_delivery" in sa.inspect(database.engine).get_table_names()
    finally:
        database.dispose()
