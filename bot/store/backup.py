"""Back up and restore a SQLite store: SQLite's online backup, checked before it replaces anything.

A live store is copied page by page by SQLite itself, so the copy is consistent while the
service keeps writing. A restore first copies the backup beside the store and checks it (a
SQLite file, not damaged, with confbot's tables); only then does it replace the store, in
one rename, so a refused restore leaves the current store as it was. PostgreSQL has its own
tools (``pg_dump``, point-in-time recovery), which the README describes.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.store.files import private_file

# Tables any confbot store has had since its first migration: a file without them is foreign.
REQUIRED_TABLES = frozenset({"alembic_version", "conference", "timeline_entry"})
SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line saying why."""


@dataclass(frozen=True, slots=True)
class BackupSummary:
    """What a backup file holds, by count only: enough to check it, naming nobody."""

    revision: str
    conferences: int
    pending_jobs: int


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL, or BackupError for any other database."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        raise BackupError(
            "this store is PostgreSQL: back it up with pg_dump or the server's point-in-time "
            "recovery (see the README's Back-up and restore)"
        )
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("this SQLite store is not a plain file, so it cannot be backed up")
    return Path(database)


def _readonly(path: Path) -> sqlite3.Connection:
    # Read-write mode, though nothing here writes: a read-only open of a store in WAL mode
    # fails when its -shm file is missing. The file is checked to exist first.
    return sqlite3.connect(path, timeout=5.0)


def inspect_backup(path: Path) -> BackupSummary:
    """Check ``path`` is an undamaged confbot store and say what it holds; BackupError if not."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    try:
        connection = _readonly(path)
        try:
            check = connection.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite's check failed)")
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not tables >= REQUIRED_TABLES:
                raise BackupError(f"{path} is a SQLite file but not a confbot store")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            conferences = connection.execute("SELECT count(*) FROM conference").fetchone()
            jobs = (
                connection.execute("SELECT count(*) FROM confbot_jobs").fetchone()
                if "confbot_jobs" in tables
                else (0,)
            )
        finally:
            connection.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{path} is not a SQLite database ({err})") from err
    return BackupSummary(
        revision=str(revision[0]) if revision else "",
        conferences=int(conferences[0]) if conferences else 0,
        pending_jobs=int(jobs[0]) if jobs else 0,
    )


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup of ``source`` into a new private file at ``target``."""
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    private_file(target)
    destination = sqlite3.connect(target)
    try:
        # Pages in steps, so a busy service is never locked out for the whole copy.
        source.backup(destination, pages=256)
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        destination.close()


def backup(url: str, target: Path) -> BackupSummary:
    """Copy the live SQLite store at ``url`` to ``target``, consistently, while it is in use."""
    store = sqlite_path(url)
    if not store.is_file():
        raise BackupError(f"there is no store at {store} to back up")
    if target.resolve() == store.resolve():
        raise BackupError("the backup cannot be the store itself")
    partial = target.with_name(target.name + ".partial")
    try:
        source = _readonly(store)
        try:
            _copy(source, partial)
        finally:
            source.close()
        summary = inspect_backup(partial)
        os.replace(partial, target)
    except sqlite3.Error as err:
        raise BackupError(f"the backup failed: {err}") from err
    except OSError as err:
        raise BackupError(f"cannot write {target}: {err.strerror or err}") from err
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return summary


def restore(source_file: Path, url: str) -> BackupSummary:
    """Replace the SQLite store at ``url`` with ``source_file``, once it has been checked.

    The caller makes sure no service runs on the store (``bot.store.leader`` holds the lock).
    """
    store = sqlite_path(url)
    summary = inspect_backup(source_file)
    if store.exists() and source_file.resolve() == store.resolve():
        raise BackupError("the backup is the store itself")
    incoming = store.with_name(store.name + ".restoring")
    try:
        source = _readonly(source_file)
        try:
            _copy(source, incoming)
        finally:
            source.close()
        inspect_backup(incoming)
        # The old store's journal files belong to the old file: gone before the swap.
        for suffix in SIDE_FILES:
            with contextlib.suppress(FileNotFoundError):
                store.with_name(store.name + suffix).unlink()
        os.replace(incoming, store)
    except sqlite3.Error as err:
        raise BackupError(f"the restore failed, the store is unchanged: {err}") from err
    except OSError as err:
        raise BackupError(f"cannot write {store}: {err.strerror or err}") from err
    finally:
        with contextlib.suppress(FileNotFoundError):
            incoming.unlink()
    return summary
