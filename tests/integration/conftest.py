"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.database import Database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite store in the test's own folder."""
    db = Database(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    db.upgrade()
    yield db
    db.dispose()
