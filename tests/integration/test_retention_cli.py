"""`confbot retention --dry-run` and `confbot legal-hold` on the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.conference import ConferenceState, ConferenceType, Role
from bot.store.database import Database
from bot.store.repository import NewParticipant, Repository

PARENT = "Robin Testfamily"
PHONE = "07700 900456"


@pytest.fixture
def reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A cancelled conference in a store the CLI is pointed at; its reference."""
    url = f"sqlite:///{tmp_path / 'var' / 'confbot.sqlite3'}"
    monkeypatch.setenv("CONFBOT_STORE__URL", url)
    monkeypatch.setenv("CONFBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CONFBOT_CONFERENCE__PLAYBOOK", "northmoor")
    monkeypatch.setenv("CONFBOT_RETENTION__CONFERENCE", "P1D")
    database = Database(url)
    database.upgrade()
    repo = Repository(database)
    conference = repo.create_conference(
        playbook="northmoor",
        conference_type=ConferenceType.ICPC,
        participants=[NewParticipant(Role.PARENT, PARENT, phone=PHONE)],
    )
    repo.update_conference(conference.id, state=ConferenceState.CANCELLED)
    database.dispose()
    return conference.reference


def test_retention_dry_run_lists_every_kind_by_count_and_names_no_person(
    reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    for kind in ("request_email", "triage_item", "conference", "outbox", "web_session"):
        assert f"{kind}: 0" in out
    assert "sign_in_code" in out and "view_audit" in out
    assert PARENT not in out and PHONE not in out and reference not in out


def test_a_legal_hold_needs_a_reason_and_is_listed_with_who_set_it(
    reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["legal-hold", "set", reference, "--reason", " ", "--by", "a@x.test"]) == 2
    assert "--reason" in capsys.readouterr().err
    assert main(["legal-hold", "set", reference, "--reason", "claim", "--by", "a@x.test"]) == 0
    capsys.readouterr()
    assert main(["legal-hold", "list"]) == 0
    listed = capsys.readouterr().out
    assert reference in listed and "a@x.test" in listed and "claim" in listed
    assert main(["legal-hold", "release", reference, "--by", "a@x.test"]) == 0
    capsys.readouterr()
    assert main(["legal-hold", "list"]) == 0
    assert "no conference is under a legal hold" in capsys.readouterr().out
