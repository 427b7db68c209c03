"""Locks that hold across replicas: a PostgreSQL advisory lock per conference.

The run-sheet service changes a conference's run sheet by reading its journal, applying the
change and writing the journal back. Two replicas doing that at once would each write their
own journal and lose the other's change, so on PostgreSQL the change is made under a
session-level advisory lock on a connection of its own. If the process dies, PostgreSQL
ends the session and frees the lock. SQLite runs one replica, whose in-process lock does.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from bot.store.database import Database, StoreError

logger = logging.getLogger(__name__)

# The two-key form of advisory lock, apart from the leader's one-key lock: "conf", then an id.
CONFERENCE_LOCK_CLASS = 0x636F6E66
WAIT = timedelta(seconds=30)  # a run-sheet change takes milliseconds; this only bounds a hang


class ConferenceLockTimeout(StoreError):
    """Another replica held a conference's lock for longer than anyone should."""

    def __init__(self, conference_id: int) -> None:
        super().__init__(f"conference {conference_id} stayed locked by another replica")


class HeldLock:
    """One conference's lock, held on its own connection until released."""

    def __init__(self, conference_id: int, connection: Connection) -> None:
        self.conference_id = conference_id
        self.connection = connection

    def release(self) -> None:
        """Unlock and hand the connection back; a broken one is closed, freeing its lock."""
        try:
            self.connection.execute(
                text("SELECT pg_advisory_unlock(:cls, :id)"),
                {"cls": CONFERENCE_LOCK_CLASS, "id": self.conference_id},
            )
            self.connection.execute(text("RESET lock_timeout"))
        except SQLAlchemyError:
            logger.warning(
                "could not unlock a conference", extra={"conference_id": self.conference_id}
            )
            self.connection.invalidate()
        finally:
            with contextlib.suppress(SQLAlchemyError):
                self.connection.close()


class ConferenceLocks:
    """One advisory lock per conference id, each on a connection held while it is locked."""

    def __init__(self, database: Database, wait: timedelta = WAIT) -> None:
        self.database = database
        self.wait = wait

    def acquire(self, conference_id: int) -> HeldLock:
        """Block until this replica holds the conference's lock. Blocking: call from a thread."""
        connection = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            milliseconds = int(self.wait.total_seconds() * 1000)
            connection.execute(text(f"SET lock_timeout = {milliseconds}"))
            connection.execute(
                text("SELECT pg_advisory_lock(:cls, :id)"),
                {"cls": CONFERENCE_LOCK_CLASS, "id": conference_id},
            )
        except SQLAlchemyError as err:
            connection.invalidate()  # ends the session, and any lock it might hold
            connection.close()
            raise ConferenceLockTimeout(conference_id) from err
        return HeldLock(conference_id, connection)
