"""Loading playbooks: every bundled one passes, and broken ones fail on one useful line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.loader import PlaybookError, load_playbook_text
from bot.core.playbook.model import Playbook, render_minutes_statement
from playbooks import DIRECTORY, bundled_paths, load_playbook_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "playbooks"
SEEDS = {
    "lancashire": "000_ed163c68c794b7dc.txt",
    "portsmouth": "001_e05c15085565f16c.txt",
    "leeds": "002_29ea25d516f8a6f2.txt",
    "northmoor": "003_0e65343e1ddb43b1.txt",
    "northmoor-lac": "003_0e65343e1ddb43b1.txt",
    "eastmoor": "004_bdf844f15018d5af.txt",
}


def load_fixture(name: str) -> Playbook:
    path = FIXTURES / name
    return load_playbook_text(path.read_text(encoding="utf-8"), f"fixtures/{name}")


def error_for(name: str) -> str:
    with pytest.raises(PlaybookError) as caught:
        load_fixture(name)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_there_is_one_bundled_playbook_per_seed() -> None:
    assert sorted(p.stem for p in bundled_paths()) == sorted(SEEDS)


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_bundled_playbook_loads_and_names_its_seed_in_a_comment(stem: str) -> None:
    path = DIRECTORY / f"{stem}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# seed: {SEEDS[stem]}\n")
    playbook = load_playbook_file(path)
    assert playbook.seed == SEEDS[stem]
    assert playbook.schema_version == 1


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_bundled_playbook_carries_no_email_address_or_phone_number(stem: str) -> None:
    text = (DIRECTORY / f"{stem}.yaml").read_text(encoding="utf-8")
    assert not re.search(r"[\w.]+@[\w.]+", text)
    assert not re.search(r"\d{5,}", text.replace(SEEDS[stem], ""))


def test_minimal_fixture_is_valid() -> None:
    playbook = load_fixture("minimal.yaml")
    assert playbook.rules(ConferenceType.ICPC).held_back(MeetingFormat.TEAMS) == {
        Role.PARENT: "call_parent_in"
    }


def test_unknown_field_names_file_line_and_field_and_suggests_the_right_one() -> None:
    message = error_for("unknown_field.yaml")
    assert message.startswith(
        "fixtures/unknown_field.yaml:20: conferences.ICPC.formats.decided_bye:"
    )
    assert "unknown field 'decided_bye'" in message
    assert "did you mean 'decided_by'?" in message


def test_bad_duration_says_what_a_duration_looks_like() -> None:
    message = error_for("bad_duration.yaml")
    assert message.startswith(
        "fixtures/bad_duration.yaml:32: conferences.ICPC.report_sharing[0].before:"
    )
    assert "bad duration '48 hourz'" in message
    assert "'48 hours'" in message


def test_undefined_role_lists_the_roles_confbot_knows() -> None:
    message = error_for("undefined_role.yaml")
    assert message.startswith(
        "fixtures/undefined_role.yaml:31: conferences.ICPC.report_sharing[0].to[0]:"
    )
    assert "undefined role 'parnet'" in message
    assert "social_worker" in message


def test_role_that_is_not_a_participant_is_refused() -> None:
    message = error_for("unlisted_role.yaml")
    assert ":31: conferences.ICPC.report_sharing[0].to[0]: role 'school' is not listed" in message


def test_hold_naming_a_missing_phase_is_refused() -> None:
    message = error_for("missing_phase.yaml")
    assert message.startswith(
        "fixtures/missing_phase.yaml:26: conferences.ICPC.participants[3].held_back_until:"
    )
    assert "undefined phase 'bring_parent_in'" in message
    assert "call_parent_in" in message


def test_invalid_yaml_names_the_line() -> None:
    message = error_for("invalid_yaml.yaml")
    assert re.match(r"fixtures/invalid_yaml\.yaml:\d+: invalid YAML: ", message)


def test_restricted_material_by_email_is_refused_at_load_time() -> None:
    message = error_for("restricted_by_email.yaml")
    assert "'police_report' is restricted material and can never be sent by email" in message
    with pytest.raises(PlaybookError) as caught:
        load_fixture("restricted_by_email.yaml")
    assert any("can never go to parents or GPs" in line for line in caught.value.lines)


def test_undefined_document_is_refused() -> None:
    assert "undefined document 'core_group_report'" in error_for("undefined_document.yaml")


def test_unknown_minutes_placeholder_is_refused() -> None:
    message = error_for("bad_placeholder.yaml")
    assert ":12: minutes_statement: unknown placeholder {meeting}" in message


def test_default_format_must_be_offered() -> None:
    assert "format 'hybrid' is not offered" in error_for("format_not_offered.yaml")


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(PlaybookError, match=r"^x\.yaml:1: expected a mapping"):
        load_playbook_text("- just a list\n", "x.yaml")


def test_models_built_in_python_also_check_references() -> None:
    playbook = load_fixture("minimal.yaml")
    data = playbook.model_dump(mode="json")
    data["conferences"]["ICPC"]["participants"][3]["held_back_until"] = "nowhere"
    with pytest.raises(ValueError, match="undefined phase 'nowhere'"):
        Playbook.model_validate(data)


def test_playbook_round_trips_through_json() -> None:
    playbook = load_fixture("minimal.yaml")
    assert Playbook.model_validate_json(playbook.model_dump_json()) == playbook


def test_minutes_statement_fills_in_the_conference_and_format() -> None:
    playbook = load_fixture("minimal.yaml")
    text = render_minutes_statement(
        playbook, ConferenceType.ICPC, MeetingFormat.TEAMS, "7 January 2027"
    )
    assert text == (
        "This initial child protection conference was held as a Microsoft Teams meeting "
        "because of COVID-19."
    )


def test_typo_inside_a_shared_yaml_anchor_points_at_the_line_where_it_is_written() -> None:
    text = (DIRECTORY / "portsmouth.yaml").read_text(encoding="utf-8")
    broken = text.replace("      decided_by: chair\n", "      decided_bye: chair\n", 1)
    line = broken.splitlines().index("      decided_bye: chair") + 1
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(broken, "portsmouth.yaml")
    # TI reuses the ICPC rules through a merge key; both errors name the written line.
    assert caught.value.lines == [
        f"portsmouth.yaml:{line}: conferences.{kind}.formats.decided_bye: unknown field "
        "'decided_bye' (did you mean 'decided_by'? expected one of: agreed_by, consulted, "
        "decided_by, default, hold_invites_until_decided, offered, risk_assessment)"
        for kind in ("ICPC", "TI")
    ]


def test_bad_value_in_a_new_process_field_names_file_line_and_field() -> None:
    text = (DIRECTORY / "lancashire.yaml").read_text(encoding="utf-8")
    broken = text.replace("book_from_request: never\n", "book_from_request: sometimes\n", 1)
    line = broken.splitlines().index("book_from_request: sometimes") + 1
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(broken, "lancashire.yaml")
    message = str(caught.value)
    assert message.startswith(
        f"lancashire.yaml:{line}: book_from_request: unknown value 'sometimes'"
    )
    assert "'never'" in message and "'when_chair_and_format_given'" in message


def test_unknown_field_in_the_late_booking_section_suggests_the_right_one() -> None:
    text = (DIRECTORY / "leeds.yaml").read_text(encoding="utf-8")
    broken = text.replace(
        "distribution:\n", "late_booking:\n  agreed_bye: the chair\n\ndistribution:\n", 1
    )
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(broken, "leeds.yaml")
    line = broken.splitlines().index("  agreed_bye: the chair") + 1
    assert str(caught.value).startswith(
        f"leeds.yaml:{line}: late_booking.agreed_bye: unknown field 'agreed_bye' "
        "(did you mean 'agreed_by'?"
    )
