"""`confbot retention`, `legal-hold`, `subject-access` and `erase` on the embedded default."""

from __future__ import annotations

import json
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


def test_subject_access_writes_json_and_a_readable_report_for_a_phone_number(
    reference: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sar"
    assert main(["subject-access", "--phone", PHONE, "--out", str(out)]) == 0
    assert "found 1 conference(s)" in capsys.readouterr().out
    (json_file,) = out.glob("*.json")
    (html_file,) = out.glob("*.html")
    export = json.loads(json_file.read_text())
    assert [c["reference"] for c in export["conferences"]] == [reference]
    assert PARENT in html_file.read_text()
    assert json_file.stat().st_mode & 0o077 == 0, "the export is private to its user"


def test_subject_access_for_an_unknown_person_writes_a_report_saying_nothing_was_found(
    reference: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sar"
    assert main(["subject-access", "--email", "nobody@family.test", "--out", str(out)]) == 0
    assert "nothing" in capsys.readouterr().out
    (html_file,) = out.glob("*.html")
    assert "Nothing was found" in html_file.read_text()


def test_subject_access_needs_exactly_one_way_to_find_the_person(
    reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["subject-access", "--email", "a@b.test", "--phone", PHONE]) == 2
    assert "one of --email" in capsys.readouterr().err


def test_erasing_a_participant_of_a_live_conference_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    monkeypatch.setenv("CONFBOT_STORE__URL", url)
    monkeypatch.setenv("CONFBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CONFBOT_CONFERENCE__PLAYBOOK", "northmoor")
    database = Database(url)
    database.upgrade()
    conference = Repository(database).create_conference(
        playbook="northmoor",
        conference_type=ConferenceType.ICPC,
        state=ConferenceState.SCHEDULED,
        participants=[NewParticipant(Role.PARENT, PARENT, phone=PHONE)],
    )
    database.dispose()
    participant = conference.participants[0].id
    args = ["erase", "--participant", str(participant), "--by", "dpo@x.test", "--because", "asked"]
    assert main(args) == 2
    assert "still scheduled" in capsys.readouterr().err
