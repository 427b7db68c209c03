"""`confbot signin-link`, `confbot token` and `confbot sessions revoke`, on a SQLite store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.access import CodeRefusal
from bot.core.actions import Actor
from bot.store.access import AccessStore
from bot.store.database import Database


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'var' / 'confbot.sqlite3'}"
    monkeypatch.setenv("CONFBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CONFBOT_STORE__URL", url)
    return url


def test_signin_link_prints_a_code_that_signs_the_sandbox_admin_in_once(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["signin-link"]) == 0
    found = re.search(r"Sign in: \S+/signin\?code=(\S+) \(works once", capsys.readouterr().out)
    assert found
    database = Database(store_url)
    try:
        access = AccessStore(database)
        assert access.redeem_code(found.group(1)) == Actor("sandbox-admin", "admin")
        assert access.redeem_code(found.group(1)) is CodeRefusal.USED
    finally:
        database.dispose()


def test_a_token_made_on_the_command_line_is_listed_without_its_secret_and_revoked(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "--user", "Pat@Council.example", "--role", "mts",
                 "--label", "nightly export"]) == 0  # fmt: skip
    secret = next(w for w in capsys.readouterr().out.split() if w.startswith("confbot_"))
    assert main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "pat@council.example\tmts\tnightly export\tactive" in listing
    assert secret not in listing
    database = Database(store_url)
    try:
        assert AccessStore(database).token(secret) == Actor("pat@council.example", "mts")
        assert main(["token", "revoke", "1"]) == 0
        assert AccessStore(database).token(secret) is None
        assert main(["token", "revoke", "9"]) == 2
        assert "there is no API token 9" in capsys.readouterr().err
    finally:
        database.dispose()


def test_sessions_revoke_signs_a_person_out_everywhere(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    database = Database(store_url)
    try:
        database.upgrade()
        access = AccessStore(database)
        session = access.start_session(Actor("sam.chair@council.example", "chair"))
        assert main(["sessions", "revoke", "--user", "Sam.Chair@council.example"]) == 0
        assert "ended 1 session" in capsys.readouterr().out
        assert access.session(session) is None
    finally:
        database.dispose()
