"""Small durable state: key/value pairs such as a mailbox's Graph delta link."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.base import Store
from bot.store.models import SyncStateRow


class StateStore(Store):
    """Stored values by key."""

    def get_state(self, key: str) -> str | None:
        """A stored value such as a mailbox delta link."""
        with self.db.session() as session:
            row = session.scalar(select(SyncStateRow).where(SyncStateRow.key == key))
            return None if row is None else row.value

    def set_state(self, key: str, value: str) -> None:
        """Store or replace a value."""
        with self.db.session() as session:
            row = session.scalar(select(SyncStateRow).where(SyncStateRow.key == key))
            if row is None:
                session.add(SyncStateRow(key=key, value=value, updated_at=self.clock()))
            else:
                row.value = value
                row.updated_at = self.clock()

    def setdefault_state(self, key: str, value: str) -> str:
        """The value stored under ``key``, storing ``value`` first if there is none.

        Race-free across replicas, like ``dict.setdefault``: the insert does nothing if
        another writer got there first (the key is unique), and what is read back is
        whichever value won, so every caller gets the same one.
        """
        insert = sqlite.insert if self.db.is_sqlite else postgresql.insert
        statement = (
            insert(SyncStateRow)
            .values(key=key, value=value, updated_at=self.clock())
            .on_conflict_do_nothing(index_elements=["key"])
        )
        with self.db.session() as session:
            session.execute(statement)
            # Read committed: a conflicting insert waited for its rival to commit, so the
            # rival's row is visible to this next statement.
            return session.scalars(select(SyncStateRow.value).where(SyncStateRow.key == key)).one()
