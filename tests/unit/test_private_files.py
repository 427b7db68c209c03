"""Data files are made readable by the service's user only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.database import Database
from bot.store.files import private_dir, private_file


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave files world-readable, as a default shell's does."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_the_sqlite_database_and_its_folder_are_made_private(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'var' / 'confbot.sqlite3'}")
    try:
        database.upgrade()  # writes, so SQLite makes its -wal and -shm files too
    finally:
        database.dispose()
    assert _mode(tmp_path / "var") == 0o700
    files = {p.name: _mode(p) for p in (tmp_path / "var").iterdir()}
    assert "confbot.sqlite3" in files
    assert all(mode == 0o600 for mode in files.values()), files


@pytest.mark.usefixtures("open_umask")
def test_private_files_keep_an_existing_files_mode_and_contents(tmp_path: Path) -> None:
    shared = tmp_path / "shared.txt"
    shared.write_text("chosen by the operator")
    shared.chmod(0o640)
    private_file(shared)
    assert _mode(shared) == 0o640 and shared.read_text() == "chosen by the operator"
    made = private_file(tmp_path / "new" / "secret")
    assert _mode(made) == 0o600 and _mode(made.parent) == 0o700
    assert private_dir(tmp_path) == tmp_path
