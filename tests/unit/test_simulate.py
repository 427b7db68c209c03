"""`confbot simulate`: a whole conference on a virtual clock, printed in London time."""

from __future__ import annotations

import argparse
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cli import simulate as simulate_cli
from bot.cli.simulate import Script, simulate
from bot.core.conference import ConferenceType, MeetingFormat
from bot.core.runsheet.sheet import Answer
from playbooks import load_all_bundled, load_bundled

LONDON = ZoneInfo("Europe/London")
WINTER = datetime(2027, 1, 15, 10, 0, tzinfo=LONDON)
SUMMER = datetime(2027, 7, 15, 10, 0, tzinfo=LONDON)
PLAYBOOKS = load_all_bundled()


def run(argv: list[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    simulate_cli.register(parser.add_subparsers())
    args = parser.parse_args(["simulate", *argv])
    out = io.StringIO()
    return args.func(args, out), out.getvalue()


@pytest.mark.parametrize(
    ("name", "kind", "fmt"),
    [
        (name, kind, fmt)
        for name, playbook in sorted(PLAYBOOKS.items())
        for kind in sorted(playbook.conferences)
        for fmt in playbook.rules(kind).formats.offered
    ],
)
def test_every_bundled_playbook_simulates_to_the_end(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    lines = simulate(PLAYBOOKS[name], kind, fmt, start=WINTER, confidential=timedelta(minutes=20))
    assert lines[0].startswith("Simulated conference on Friday 15 January 2027")
    assert any("The run sheet is finished." in line for line in lines)


def test_callback_prints_at_the_confidential_sections_end_with_the_parents_number() -> None:
    lines = simulate(
        load_bundled("lancashire"),
        ConferenceType.ICPC,
        MeetingFormat.TEAMS,
        start=WINTER,
        confidential=timedelta(minutes=20),
    )
    assert "10:20  Confidential section should now end — call Parent A on 07700 900101." in lines
    assert (
        "10:27  Try again: call Parent A on 07700 900101 and bring them into the meeting." in lines
    )


def test_times_are_printed_in_london_time_in_summer() -> None:
    lines = simulate(
        load_bundled("lancashire"),
        ConferenceType.ICPC,
        MeetingFormat.TEAMS,
        start=SUMMER,
        confidential=timedelta(minutes=20),
    )
    assert any(line.startswith("10:20  Confidential section should now end") for line in lines)


def test_an_objection_in_the_script_ends_with_no_recording() -> None:
    lines = simulate(
        load_bundled("leeds"),
        ConferenceType.ICPC,
        MeetingFormat.TEAMS,
        start=WINTER,
        script=Script(objector="police"),
    )
    assert any("does not agree to recording" in line for line in lines)
    assert lines[-1].strip() == "At the end, the meeting must not be recorded."


def test_portsmouth_simulation_never_calls_the_family_in() -> None:
    lines = simulate(
        load_bundled("portsmouth"),
        ConferenceType.ICPC,
        MeetingFormat.CONFERENCE_CALL,
        start=WINTER,
        confidential=timedelta(minutes=20),
        script=Script(callback_answers=[Answer.NO_ANSWER]),
    )
    assert not any("callback." in line for line in lines)
    assert any("consent.parent-1.1" in line for line in lines)


def test_command_prints_the_simulation() -> None:
    code, out = run(
        ["lancashire", "--type", "icpc", "--format", "teams", "--confidential", "20m",
         "--start", "2027-01-15T10:00", "--end-early", "8m"]
    )  # fmt: skip
    assert code == 0
    assert "10:08  Confidential section should now end" in out


def test_command_uses_the_playbooks_default_confidential_length() -> None:
    code, out = run(
        ["lancashire", "--type", "ICPC", "--format", "teams", "--confidential",
         "--start", "2027-01-15T10:00"]
    )  # fmt: skip
    assert code == 0 and "planned to end at 10:20" in out


def test_command_refuses_a_format_the_playbook_does_not_offer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _ = run(["portsmouth", "--type", "ICPC", "--format", "teams"])
    assert code == 2
    assert "does not offer teams" in capsys.readouterr().err


@pytest.mark.parametrize("who", ["parent", "Parent A", "the police officer", "school"])
def test_object_takes_a_role_or_a_name(who: str) -> None:
    lines = simulate(
        load_bundled("leeds"),
        ConferenceType.ICPC,
        MeetingFormat.TEAMS,
        start=WINTER,
        script=Script(objector=who),
    )
    assert any("does not agree to recording" in line for line in lines)


def test_an_unknown_objector_is_an_error_that_lists_the_parties(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(["leeds", "--type", "ICPC", "--format", "teams", "--object", "Nobody Known"])
    assert code == 2 and out == ""
    error = capsys.readouterr().err
    assert "'Nobody Known' is not one of the parties" in error
    assert "police (the police officer)" in error and "parent-1 (Parent A)" in error
