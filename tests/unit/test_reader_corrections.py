"""What a request says about its own details: a number out of use, someone not to be
invited, a new mobile since the form was filled in, the council's reception lines."""

from __future__ import annotations

import dataclasses

from bot.intake.outcome import Parsed
from bot.intake.parser import parse_message
from tests.unit.test_reader_free_form import LABELLED, booked, message

FORM = "Mum: Kelly Dawes - 07700 900611 - kelly.dawes@example.org\nDad: Gary Dawes, 07700-900-612"


def request_with(people: str, note: str = "") -> Parsed:
    return booked(note + LABELLED.replace(FORM, people))


def test_a_number_said_to_be_out_of_use_is_given_to_no_one() -> None:
    outcome = request_with(
        FORM,
        note="Mum's mobile has changed: her new number is 07700 900613 - the 07700 900611 one"
        " no longer works, so please don't use it.\n\n",
    )
    (mum,) = [p for p in outcome.request.parents if p.name == "Kelly Dawes"]
    assert mum.phones == ("+447700900613",)
    assert any("+447700900611" in w and "out of use" in w for w in outcome.warnings)


def test_a_new_mobile_said_to_replace_the_forms_number_replaces_it() -> None:
    outcome = request_with(
        FORM,
        note="Mum's new mobile since she filled in the form is 07700 900613 - please use that"
        " one rather than the number on the form.\n\n",
    )
    (mum,) = [p for p in outcome.request.parents if p.name == "Kelly Dawes"]
    assert mum.phones == ("+447700900613",)


def test_someone_named_as_not_to_be_invited_is_left_off_with_a_warning() -> None:
    outcome = request_with(
        FORM + "\nC's dad - Aaron Kelsey - no contact for years, NOT to be invited"
    )
    assert "Aaron Kelsey" not in {p.name for p in outcome.request.people}
    assert any("Aaron Kelsey" in w and "not to be invited" in w for w in outcome.warnings)


def test_the_councils_reception_and_out_of_hours_lines_are_nobodys_numbers() -> None:
    outcome = booked(
        LABELLED.replace(
            "Thanks\nRowan Feld\nSocial Worker\n0113 496 0123",
            "Thanks\nRowan Feld | Social Worker | 0113 496 0123\n\nChildren's Services, Civic"
            " House.\nMain reception: 0161 496 0500 | Out of hours: 0161 496 0501\n",
        )
    )
    numbers = {n for p in outcome.request.people for n in p.phones}
    assert not numbers & {"+441614960500", "+441614960501"}


def test_a_role_word_starts_each_person_of_a_semicolon_list_and_the_rest_is_the_last_ones() -> None:
    outcome = request_with(
        "Carers (mum's parents): nan - Pat Dyer - 07700 900621; grandad - Jim Dyer - 07700"
        " 900622; both at the same address; dyers@example.net (shared)."
    )
    people = {p.name: (p.emails, p.phones) for p in outcome.request.parents}
    assert people == {
        "Pat Dyer": ((), ("+447700900621",)),
        "Jim Dyer": (("dyers@example.net",), ("+447700900622",)),
    }


def test_a_value_ends_where_the_next_sentence_gives_someone_elses_details() -> None:
    outcome = request_with(
        FORM + "\nNursery - Acorn Tree Day Nursery - 01632 960875, ask for Gail. Police contact"
        " was PC Ryan Holt, ryan.holt@police.example.org."
    )
    nursery = next(a for a in outcome.request.agencies if "+441632960875" in a.phones)
    assert nursery.emails == ()


def test_a_grid_row_holding_one_line_per_person_is_a_row_per_person() -> None:
    html = (
        "<html><body><p>ICPC please, strategy discussion 20/11/2026. Child: T.R. (DOB"
        " 02/03/2018), LCS 123456</p><table border='1'>"
        "<tr><th>Name</th><th>Relationship / role</th><th>Contact (phone &amp; email)</th></tr>"
        "<tr><td>Aimee Clare<br>Jordan Clare</td><td>Mother<br>Father</td>"
        "<td>07700 900931, aimee.clare@example.org<br>07700 900932</td></tr>"
        "</table><p>Thanks<br>Rowan Feld<br>Social Worker</p></body></html>"
    )
    outcome = parse_message(dataclasses.replace(message(html), body_type="html"))
    assert isinstance(outcome, Parsed), outcome
    people = {p.name: (p.relationship, p.emails, p.phones) for p in outcome.request.parents}
    assert people == {
        "Aimee Clare": ("mother", ("aimee.clare@example.org",), ("+447700900931",)),
        "Jordan Clare": ("father", (), ("+447700900932",)),
    }


def test_a_new_request_whose_subject_names_the_previous_conference_is_booked() -> None:
    body = (
        "Afternoon, please arrange the first review for T.R. (previous conference"
        " CP-2026-00173). Hybrid if possible.\n\nChild: T.R. (DOB 02/03/2018), LCS 123456\n"
        "Mum: Kelly Dawes - 07700 900611\n\nThanks\nRowan Feld\nSocial Worker\n"
    )
    outcome = parse_message(message(body, subject="RCPC - T.R. - CP-2026-00173"))
    assert isinstance(outcome, Parsed), outcome
    assert outcome.request.previous_reference == "CP-2026-00173"


def test_a_grid_row_marked_not_to_be_invited_is_left_off_with_a_warning() -> None:
    html = (
        "<html><body><p>ICPC please, strategy discussion 20/11/2026. Child: T.R. (DOB"
        " 02/03/2018), LCS 123456. Mum: Kelly Dawes - 07700 900611</p><table border='1'>"
        "<tr><th>Agency</th><th>Contact name</th><th>Tel</th><th>Invite?</th></tr>"
        "<tr><td>Brook High</td><td>Miss Amy Fenn (DSL)</td><td>0161 496 0994</td><td>Yes</td></tr>"
        "<tr><td>Heath Lane Primary</td><td>Mr Rob Knightly</td><td>0161 496 0995</td>"
        "<td>No &ndash; left in July</td></tr></table><p>Thanks<br>Rowan Feld<br>Social Worker"
        "</p></body></html>"
    )
    outcome = parse_message(dataclasses.replace(message(html), body_type="html"))
    assert isinstance(outcome, Parsed), outcome
    names = {a.name for a in outcome.request.agencies}
    assert "Amy Fenn" in names and "Rob Knightly" not in names
    assert any("Rob Knightly" in w for w in outcome.warnings)


def test_children_named_one_a_line_in_a_forms_cell_are_each_a_child() -> None:
    html = (
        "<html><body><table border='1'><tr><td>Type of conference</td><td>ICPC</td></tr>"
        "<tr><td>Date of strategy</td><td>20.11.26</td></tr>"
        "<tr><td>Name of child(ren)</td><td>H.J.<br>M.J.<br>P.R.</td></tr>"
        "<tr><td>D.O.B</td><td>14/05/2019<br>02.03.21<br>30 Jan 2024</td></tr>"
        "<tr><td>LCS</td><td>730551<br>730552<br>730553</td></tr>"
        "<tr><td>Mum</td><td>Kelly Dawes - 07700 900611</td></tr>"
        "<tr><td>Social worker</td><td>Rowan Feld</td></tr></table></body></html>"
    )
    outcome = parse_message(dataclasses.replace(message(html), body_type="html"))
    assert isinstance(outcome, Parsed), outcome
    assert [c.initials for c in outcome.request.children] == ["H.J.", "M.J.", "P.R."]
