"""Database fixtures shared by the store suite: SQLite always, PostgreSQL when CI provides it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "CONFBOT_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    """The URL of a PostgreSQL server the tests may create databases on, if any."""
    url = os.environ.get(POSTGRES_ENV)
    if not url and os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_ENV} must be set in CI: the store suite runs on PostgreSQL too")
    return url or None


def fresh_postgres_database() -> Iterator[str]:
    """Create an empty database for one test and drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = postgres_admin_url()
    if admin is None:
        pytest.skip(f"set {POSTGRES_ENV} to run the store suite on PostgreSQL")
    name = f"confbot_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(
        make_url(admin).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(admin)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: once for SQLite, once for a real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'confbot.sqlite3'}"
    else:
        yield from fresh_postgres_database()
