"""Playbook versions by the hash of their text: a conference keeps the one it was booked with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.store.database import Database
from bot.store.models import PlaybookVersionRow


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PlaybookVersions:
    """Stores each playbook text once, keyed by its SHA-256, and gives it back by that key."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = database
        self.clock = clock

    def save(self, name: str, sha256: str, text: str) -> None:
        """Keep this version of the playbook; saving one already kept changes nothing."""
        with self.db.session() as session:
            if session.get(PlaybookVersionRow, sha256) is None:
                session.add(
                    PlaybookVersionRow(sha256=sha256, name=name, text=text, first_seen=self.clock())
                )

    def text(self, sha256: str) -> str | None:
        """The playbook text with this hash, if it was ever kept."""
        with self.db.session() as session:
            row = session.get(PlaybookVersionRow, sha256)
            return None if row is None else row.text
