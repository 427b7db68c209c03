"""The database connection and its migrations (Alembic), for SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.files import private_file

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """The database cannot be used; the message says why, without credentials."""


def _prepare_sqlite(url: str) -> None:
    """Create the SQLite file and its folder, private, so a fresh checkout just works.

    The file is made here, 0600, before SQLite opens it: SQLite would make it 0644, and
    gives its -wal and -shm files the database file's mode.
    """
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        private_file(Path(database))


def _sqlite_begin(connection: Any) -> None:
    # pysqlite's own transaction handling commits before every DDL statement, so a crash
    # mid-migration would leave half a schema; migrations begin their transaction themselves.
    connection.exec_driver_sql("BEGIN")


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # see _sqlite_begin


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web app read while the scheduler writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as err:
            raise StoreError(f"not a database URL: {err}") from err
        if parsed.drivername == "postgresql":
            # Use psycopg 3 (the dependency we ship) rather than psycopg2.
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed
        self.is_sqlite = parsed.drivername.startswith("sqlite")
        if self.is_sqlite:
            _prepare_sqlite(url)
        connect_args: dict[str, Any] = {}
        if not self.is_sqlite:
            # Names the process in pg_stat_activity, so operators see which replica leads.
            connect_args["application_name"] = f"confbot-{os.getpid()}"
        try:
            self.engine: Engine = create_engine(
                parsed, pool_pre_ping=not self.is_sqlite, connect_args=connect_args
            )
        except (ArgumentError, ImportError) as err:
            raise StoreError(f"cannot use this database URL: {err}") from err
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def check_connection(self) -> None:
        """Open a connection, or raise StoreError saying why."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as err:
            orig = getattr(err, "orig", None)
            reason = str(orig) if orig is not None else type(err).__name__
            raise StoreError(f"cannot connect: {reason.strip().splitlines()[0]}") from err

    def _alembic_config(self, engine: Engine | None = None) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["engine"] = engine or self.engine
        return config

    def upgrade(self, revision: str = "head") -> None:
        """Apply every migration not yet applied, up to ``revision`` (tests stop earlier)."""
        from alembic import command

        if not self.is_sqlite:
            command.upgrade(self._alembic_config(), revision)
            return
        # A separate engine whose transactions we begin ourselves, so the whole upgrade is
        # one transaction. Everyday sessions keep pysqlite's own handling, which lets reads
        # run outside write locks.
        engine = create_engine(self.url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _sqlite_manual_transactions)
        event.listen(engine, "begin", _sqlite_begin)
        try:
            command.upgrade(self._alembic_config(engine), revision)
        finally:
            engine.dispose()

    def is_current(self) -> bool:
        """Whether the database is at the newest migration."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        heads = set(ScriptDirectory.from_config(self._alembic_config()).get_heads())
        with self.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        return current == heads

    def table_names(self) -> list[str]:
        """Names of the tables present, for diagnostics and tests."""
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
