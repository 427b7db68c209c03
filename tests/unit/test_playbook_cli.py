"""`confbot playbook check | plan | schema`, driven through argparse as the real CLI is."""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import pytest

from bot.cli.playbook import register
from bot.core.playbook.loader import MAX_PLAYBOOK_DEPTH, PlaybookError, playbook_schema_text
from playbooks import DIRECTORY, SCHEMA_PATH, bundled_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "playbooks"


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="confbot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["playbook", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.func(args, out, err)
    return code, out.getvalue(), err.getvalue()


def test_check_passes_for_every_bundled_playbook() -> None:
    paths = bundled_paths()
    code, out, err = run("check", *map(str, paths))
    assert code == 0, err
    assert out.count(": ok (") == len(paths) == 6


def test_check_reports_a_typo_on_one_line_naming_file_line_and_field() -> None:
    path = FIXTURES / "unknown_field.yaml"
    code, _, err = run("check", str(path))
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:20: conferences.ICPC.formats.decided_bye: unknown field")


def test_check_reports_a_missing_file_and_carries_on() -> None:
    code, out, err = run("check", "no-such-playbook.yaml", str(DIRECTORY / "leeds.yaml"))
    assert code == 1
    assert "no-such-playbook.yaml: cannot read the file" in err
    assert "leeds.yaml: ok" in out


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_plan_prints_a_timeline_for_each_type_and_format_of_each_playbook(path: Path) -> None:
    from playbooks import load_playbook_file

    playbook = load_playbook_file(path)
    for kind, rules in playbook.conferences.items():
        for fmt in rules.formats.offered:
            code, out, err = run(
                "plan",
                str(path),
                "--type",
                kind.value,
                "--format",
                fmt.value,
                "--start",
                "2027-03-10T10:00",
            )
            assert code == 0, err
            assert f"{playbook.council}: {kind.value}" in out
            assert "Starts Wed 10 Mar 2027 10:00" in out


def test_plan_of_an_icpc_over_christmas_shows_the_last_allowed_day() -> None:
    code, out, err = run(
        "plan",
        str(DIRECTORY / "lancashire.yaml"),
        "--type",
        "ICPC",
        "--format",
        "teams",
        "--start",
        "2027-01-07T10:00",
        "--strategy-discussion",
        "2026-12-14",
        "--confidential",
        "20m",
    )
    assert code == 0, err
    assert "last day Thu 07 Jan 2027" in out
    assert "Confidential section until 10:20." in out
    assert "Held back: parent" in out


def test_plan_with_the_playbook_default_confidential_length() -> None:
    code, out, _ = run(
        "plan",
        str(DIRECTORY / "lancashire.yaml"),
        "--type",
        "icpc",
        "--format",
        "teams",
        "--start",
        "2027-01-07T10:00",
        "--confidential",
    )
    assert code == 0
    assert "Confidential section until 10:20." in out


def test_plan_as_json_lists_steps_with_ids_and_utc_times() -> None:
    code, out, _ = run(
        "plan",
        str(DIRECTORY / "leeds.yaml"),
        "--type",
        "ICPC",
        "--format",
        "phone_series",
        "--start",
        "2027-01-07T10:00+00:00",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["conference_type"] == "ICPC"
    assert all(step["due"].endswith("Z") for step in data["steps"])
    assert len({step["id"] for step in data["steps"]}) == len(data["steps"])


def test_plan_explains_impossible_facts() -> None:
    code, _, err = run(
        "plan",
        str(DIRECTORY / "portsmouth.yaml"),
        "--type",
        "ICPC",
        "--format",
        "conference_call",
        "--start",
        "2027-01-07T10:00",
        "--confidential",
        "20m",
    )
    assert code == 1
    assert "cannot plan: this playbook has no confidential section" in err


def test_schema_file_in_the_repository_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == playbook_schema_text()
    code, out, _ = run("schema", "--check")
    assert code == 0
    assert "up to date" in out


def test_schema_check_fails_on_a_stale_file_and_writing_fixes_it(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("{}\n", encoding="utf-8")
    code, _, err = run("schema", "--check", "--output", str(target))
    assert code == 1
    assert "out of date" in err
    assert run("schema", "--output", str(target))[0] == 0
    assert run("schema", "--check", "--output", str(target))[0] == 0
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "confbot playbook"


@pytest.fixture(autouse=True)
def _no_configured_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The checks below never read a developer's own ./var store by accident.
    monkeypatch.setenv("CONFBOT_STORE__URL", f"sqlite:///{tmp_path / 'absent.sqlite3'}")


def _booked_portsmouth(tmp_path: Path) -> tuple[str, str]:
    from datetime import UTC, datetime, timedelta

    from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat
    from bot.runtime.playbooks import text_hash
    from bot.store.database import Database
    from bot.store.playbooks import PlaybookVersions
    from bot.store.repository import Repository

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    database = Database(url)
    database.upgrade()
    text = (DIRECTORY / "portsmouth.yaml").read_text(encoding="utf-8")
    PlaybookVersions(database).save("portsmouth", text_hash(text), text)
    repo = Repository(database)
    created = repo.create_conference(
        playbook="portsmouth",
        playbook_version=text_hash(text),
        conference_type=ConferenceType.ICPC,
        state=ConferenceState.SCHEDULED,
    )
    repo.update_conference(
        created.id,
        meeting_format=MeetingFormat.CONFERENCE_CALL,
        start_at=datetime(2027, 3, 10, 10, 0, tzinfo=UTC),
        length=timedelta(hours=2),
    )
    database.dispose()
    return url, created.reference


def test_check_warns_when_a_change_would_move_a_booked_conferences_deadlines(
    tmp_path: Path,
) -> None:
    url, reference = _booked_portsmouth(tmp_path)
    text = (DIRECTORY / "portsmouth.yaml").read_text(encoding="utf-8")
    edited = tmp_path / "portsmouth.yaml"
    edited.write_text(text.replace("before: 48 hours", "before: 72 hours", 1), encoding="utf-8")
    code, out, err = run("check", str(edited), "--store", url)
    assert code == 0, err
    [warning] = [line for line in out.splitlines() if "warning" in line]
    assert reference in warning and "keeps the version it was booked with" in warning
    assert "would be" in warning


def test_check_is_quiet_when_the_booked_conferences_would_not_change(tmp_path: Path) -> None:
    url, _reference = _booked_portsmouth(tmp_path)
    same = tmp_path / "portsmouth.yaml"
    same.write_text((DIRECTORY / "portsmouth.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _err = run("check", str(same), "--store", url)
    assert code == 0 and "warning" not in out


def _bounded_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    """Files a playbook check must refuse in one line each: (file, what the line says)."""
    not_utf8 = tmp_path / "not-utf8.yaml"
    not_utf8.write_bytes(b"council: Northmoor\nnotes: caf\xe9 in Latin-1\n")
    flow = tmp_path / "deep-flow.yaml"
    flow.write_text("council: x\nnotes: " + "[" * 100_000 + "\n")
    block = tmp_path / "deep-block.yaml"
    block.write_text("council: x\nnotes:\n" + "".join("  " * n + "a:\n" for n in range(1, 300)))
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as file:  # sparse: 49 MB on the page, nothing on the disk
        file.write(b"council: x\nnotes: ")
        file.truncate(49 * 2**20)
    return [
        (not_utf8, f"{not_utf8}:2: not UTF-8 text (byte 0xe9): save it as UTF-8"),
        (flow, f"{flow}:2: nested more than {MAX_PLAYBOOK_DEPTH} levels deep"),
        (block, f"{block}:{MAX_PLAYBOOK_DEPTH + 1}: nested more than {MAX_PLAYBOOK_DEPTH} levels"),
        (huge, f"{huge}: the file is larger than 1 MB"),
    ]


def test_check_refuses_a_playbook_not_utf8_too_deep_or_too_large_in_one_line_each(
    tmp_path: Path,
) -> None:
    cases = _bounded_cases(tmp_path)
    started = time.monotonic()
    code, _, err = run("check", "--no-store", *(str(path) for path, _ in cases))
    assert time.monotonic() - started < 10  # a 49 MB file used to hang the check
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == len(cases), err
    for line, (_path, said) in zip(lines, cases, strict=True):
        assert line.startswith(said), line


def test_serve_loads_the_configured_playbook_with_the_same_bounds(tmp_path: Path) -> None:
    from bot.app import playbook_sources
    from bot.runtime.playbooks import PlaybookRegistry
    from bot.settings import Settings

    for path, said in _bounded_cases(tmp_path):
        settings = Settings.model_validate({"conference": {"playbook": str(path)}})
        with pytest.raises(PlaybookError) as raised:
            PlaybookRegistry(playbook_sources(settings, (path.stem,)), None)
        assert raised.value.lines == [raised.value.lines[0]]
        assert raised.value.lines[0].startswith(said)
