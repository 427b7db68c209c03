"""Small durable state: key/value pairs such as a mailbox's Graph delta link."""

from __future__ import annotations

from sqlalchemy import select

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
