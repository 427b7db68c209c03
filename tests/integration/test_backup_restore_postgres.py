"""The README's PostgreSQL way: `pg_dump`, lose the database, `pg_restore`, serve again.

Runs where the tests have a PostgreSQL server (CONFBOT_TEST_POSTGRES_URL, as in CI) and the
client tools. The same conferences come back, and each pending job fires exactly once.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.runtime.scheduler import Job
from tests.integration.test_backup_restore import _fill, _references, _serve_until_all_ran
from tests.stores import fresh_postgres_database

pytestmark = pytest.mark.postgres


def _libpq(url: str) -> str:
    """The URL as pg_dump takes it: without SQLAlchemy's +psycopg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _recreate(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def test_a_pg_dump_restored_into_an_empty_database_brings_back_every_conference_and_job(
    tmp_path: Path,
) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    for url in fresh_postgres_database():
        references, jobs = _fill(url, 4)
        dump = tmp_path / "confbot.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(url)],
            check=True,
        )
        _recreate(url)  # the database is lost
        assert _references_or_none(url) is None
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={_libpq(url)}", str(dump)], check=True
        )
        assert _references(url) == sorted(references)
        ran: list[Job] = []
        asyncio.run(_serve_until_all_ran(url, jobs, ran))
        assert sorted(j.id for j in ran) == sorted(j.id for j in jobs), "each job fires once"


def _references_or_none(url: str) -> list[str] | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT to_regclass('conference')")).scalar()
        return None if exists is None else []
    finally:
        engine.dispose()
