"""Whether the store can be written right now: a real write, cached for a few seconds.

A full disk (or a volume gone read-only) leaves the database answering reads, so a
readiness probe that only reads says "ready" while no request can be stored. The probe
writes: it rewrites ``alembic_version``'s row with its own value and commits, which needs
no table of its own, and on SQLite it also writes a small file beside the database,
because SQLite may reuse WAL space it already has and so commit on a full disk.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.store.database import Database

logger = logging.getLogger(__name__)

CACHE_FOR = timedelta(seconds=5)  # probes come every few seconds; a write each is enough
PROBE_BYTES = 4096  # a page: what the next write to the database would need at least


class StoreNotWritable(Exception):
    """The store cannot be written; the message says why, without paths or credentials."""


def write_once(database: Database) -> None:
    """One write the store must accept now; ``StoreNotWritable`` saying why not."""
    try:
        with database.session() as session:
            if not database.is_sqlite:
                # Never hang a probe behind a migration's lock.
                session.execute(text("SET LOCAL lock_timeout = '2s'"))
            session.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except SQLAlchemyError as err:
        orig = getattr(err, "orig", None)
        reason = str(orig) if orig is not None else type(err).__name__
        raise StoreNotWritable(
            f"the database cannot be written ({reason.strip().splitlines()[0]})"
        ) from err
    path = database.url.database
    if database.is_sqlite and path and path != ":memory:":
        _write_beside(Path(path))


def _write_beside(database_file: Path) -> None:
    probe = database_file.with_name(database_file.name + ".probe")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
        probe.unlink()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise StoreNotWritable(f"the database's folder cannot be written ({reason})") from err


class WriteProbe:
    """Answers "can the store be written?" at most once per ``cache_for``, from any thread."""

    def __init__(
        self,
        database: Database,
        *,
        cache_for: timedelta = CACHE_FOR,
        write: Callable[[Database], None] = write_once,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``write`` is the probe itself; tests give one that fails as a full disk does."""
        self._database = database
        self._cache_for = cache_for.total_seconds()
        self._write = write
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._problem: str | None = None

    def problem(self) -> str | None:
        """Why the store cannot be written now, or None when it can."""
        with self._lock:
            now = self._clock()
            if self._checked_at is not None and now - self._checked_at < self._cache_for:
                return self._problem
            try:
                self._write(self._database)
            except StoreNotWritable as err:
                problem: str | None = str(err)
            except Exception as err:  # any other failure to write is "not ready", never a 500
                problem = f"the database cannot be written ({type(err).__name__})"
            else:
                problem = None
            if problem != self._problem:
                log = logger.warning if problem else logger.info
                log("store write probe: %s", problem or "writable again")
            self._checked_at, self._problem = now, problem
            return problem
