"""A council's own words in its playbook: label aliases, case systems and required fields."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli.playbook import register
from bot.core.mailbox import InboundMessage
from bot.core.playbook.intake import CaseReferenceSystem, IntakeVocabulary
from bot.intake.outcome import Parsed, Triage
from bot.intake.parser import parse_message
from playbooks import DIRECTORY

BODY = """Conference type: ICPC
Strategy discussion: 20/11/2026
Child: T.R. (DOB 02/03/2018)
ICS number: 654321
Mum: Kelly Dawes - 07700 900611
Social worker: Rowan Feld, rowan.feld@council.example.org
"""


def message(body: str) -> InboundMessage:
    return InboundMessage(
        id="AAMk-vocab",
        internet_message_id="<vocab@council.example.org>",
        received_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        sender="rowan.feld@council.example.org",
        subject="ICPC request",
        body=body,
        body_type="text",
        sender_name="Rowan Feld",
    )


VOCABULARY = IntakeVocabulary(
    aliases={"ICS number": "child.case_reference"},
    case_reference_systems=(CaseReferenceSystem(system="ICS", pattern=r"\d{6}"),),
)


def test_a_councils_own_label_is_read_as_the_field_it_names() -> None:
    outcome = parse_message(message(BODY), VOCABULARY)
    assert isinstance(outcome, Parsed), outcome
    (child,) = outcome.request.children
    assert [(r.system, r.reference) for r in child.case_references] == [("ICS", "654321")]


def test_without_the_alias_the_label_is_not_guessed() -> None:
    outcome = parse_message(message(BODY))
    # The number is not read as the child's reference, so the request waits for one.
    assert isinstance(outcome, Triage)
    assert outcome.draft["children"][0]["case_references"] == []
    assert any("no case reference" in r for r in outcome.reasons), outcome.reasons


def test_a_council_that_needs_a_team_manager_sends_a_request_without_one_to_triage() -> None:
    strict = VOCABULARY.model_copy(update={"required": ("social_worker", "team_manager")})
    outcome = parse_message(message(BODY), strict)
    assert isinstance(outcome, Triage)
    assert "no team manager is named" in outcome.reasons
    assert isinstance(parse_message(message(BODY), VOCABULARY), Parsed)  # the default does not


def test_an_alias_naming_an_unknown_field_is_refused_with_the_label() -> None:
    with pytest.raises(ValidationError, match=r"'Named SW' names 'social_worker\.nickname'"):
        IntakeVocabulary(aliases={"Named SW": "social_worker.nickname"})


def test_a_case_system_pattern_that_is_not_a_regular_expression_is_refused() -> None:
    with pytest.raises(ValidationError, match="is not a regular expression"):
        CaseReferenceSystem(system="LCS", pattern="(\\d{6}")


def test_playbook_check_names_the_line_of_a_bad_intake_section(tmp_path: Path) -> None:
    text = (DIRECTORY / "northmoor.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("child.case_reference", "child.shoe_size"), encoding="utf-8")
    parser = argparse.ArgumentParser(prog="confbot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["playbook", "check", str(broken)])
    out, err = io.StringIO(), io.StringIO()
    assert args.func(args, out, err) == 1
    assert "intake.aliases" in err.getvalue()
    assert "child.shoe_size" in err.getvalue()
