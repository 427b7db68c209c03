"""Electing the one replica that runs the scheduler and the mailbox sweep.

PostgreSQL: a session-level advisory lock on a connection held open for as long as this
replica leads. If the process dies, PostgreSQL ends the session and frees the lock, so
another replica takes over at its next try. No home-made consensus.

SQLite: one machine, so an exclusive lock on a file beside the database does the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from bot.store.database import Database

logger = logging.getLogger(__name__)

# Any fixed 64-bit number; it only has to differ from other applications' locks.
ADVISORY_LOCK_KEY = 0x636F6E66626F74  # "confbot"


class Leadership(Protocol):
    """Who leads: try to become leader, check the lead is still held, let it go."""

    def try_acquire(self) -> bool:
        """Become the leader if nobody else is; never blocks."""

    def still_held(self) -> bool:
        """Whether this replica still leads."""

    def release(self) -> None:
        """Stop leading."""


class PostgresLeadership:
    """Leadership through ``pg_try_advisory_lock`` on a dedicated connection."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        """Take the advisory lock if it is free."""
        try:
            if self._connection is None:
                self._connection = self.database.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                )
            got = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar_one()
        except SQLAlchemyError:
            self._drop()
            return False
        return bool(got)

    def still_held(self) -> bool:
        """The lock lives as long as our session: check the session answers."""
        if self._connection is None:
            return False
        try:
            held = self._connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted"
                )
            ).scalar_one()
        except SQLAlchemyError:
            self._drop()
            return False
        return bool(held)

    def release(self) -> None:
        """Unlock and close the session."""
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._connection.close()
            self._connection = None


class FileLeadership:
    """Leadership through an exclusive ``flock`` on a file: for SQLite on one machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the file lock if it is free."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def still_held(self) -> bool:
        """A file lock is held until released or the process ends."""
        return self._fd is not None

    def release(self) -> None:
        """Unlock the file."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def leader_lock_file(store: Path, data_dir: Path) -> Path:
    """The file a SQLite store's leader locks; ``confbot restore`` takes it too."""
    return data_dir / f"{store.name}.leader"


def leadership_for(database: Database, data_dir: Path) -> Leadership:
    """The election that fits the database."""
    if database.is_sqlite:
        return FileLeadership(leader_lock_file(Path(database.url.database or "confbot"), data_dir))
    return PostgresLeadership(database)
