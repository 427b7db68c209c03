"""The parser's value readers and label grammar, one rule per test."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.request import Child, ConferenceRequest, InvalidRequestError
from bot.intake.blocks import Table
from bot.intake.fields import (
    FieldError,
    find_date,
    find_datetime,
    find_email,
    find_phones,
    read_birth,
    read_conference_type,
    read_format,
    read_initials,
    read_role,
    read_yes_no,
)
from bot.intake.html import html_blocks
from bot.intake.labels import FieldKey, parse_heading, parse_label


@pytest.mark.parametrize(
    "text",
    [
        "3/11/2026", "03/11/2026", "03-11-2026", "3.11.2026", "3/11/26", "3 November 2026",
        "3rd Nov 2026", "3rd of November 2026", "Tuesday 3 November 2026", "November 3, 2026",
        "2026-11-03", "held on 3/11/2026 by phone",
    ],
)  # fmt: skip
def test_uk_dates_are_read_day_first_in_every_common_form(text: str) -> None:
    assert find_date(text) == date(2026, 11, 3)


@pytest.mark.parametrize("text", ["31/02/2026", "29/02/2027", "00/10/2026", "31 April 2026"])
def test_impossible_dates_are_refused_as_not_real(text: str) -> None:
    with pytest.raises(FieldError, match="not a real date"):
        find_date(text)


def test_text_with_two_different_dates_is_refused() -> None:
    with pytest.raises(FieldError, match="more than one date"):
        find_date("2/11/2026 or 3/11/2026")


@settings(max_examples=300)
@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
def test_any_real_date_written_the_uk_ways_reads_back_the_same(day: date) -> None:
    for text in (
        f"{day.day}/{day.month}/{day.year}",
        f"{day:%d-%m-%Y}",
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
        day.isoformat(),
    ):
        assert find_date(text) == day, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/11/2026 10:00", datetime(2026, 11, 3, 10, 0, tzinfo=UTC)),
        ("3 November 2026 at 2pm", datetime(2026, 11, 3, 14, 0, tzinfo=UTC)),
        ("3/11/2026 2.30 p.m.", datetime(2026, 11, 3, 14, 30, tzinfo=UTC)),
        ("1/7/2026 09:15", datetime(2026, 7, 1, 8, 15, tzinfo=UTC)),  # BST
    ],
)
def test_preferred_start_is_london_time_returned_in_utc(text: str, expected: datetime) -> None:
    assert find_datetime(text) == expected


def test_preferred_start_without_a_time_is_refused() -> None:
    with pytest.raises(FieldError, match="no time of day"):
        find_datetime("3/11/2026")


def test_phone_numbers_are_normalised_to_e164_and_all_kept() -> None:
    assert find_phones("mobile 07700 900123 / home (0113) 496 0456 or +44 7700 900124") == (
        "+447700900123",
        "+441134960456",
        "+447700900124",
    )


def test_text_without_a_phone_number_is_refused() -> None:
    with pytest.raises(FieldError):
        find_phones("ask the school")


def test_email_is_taken_from_a_display_name_and_lower_cased() -> None:
    assert find_email("Wren Ashdown <Wren.Ashdown@Example.org>") == "wren.ashdown@example.org"


def test_two_email_addresses_in_one_field_are_refused() -> None:
    with pytest.raises(FieldError, match="more than one"):
        find_email("a@example.org; b@example.org")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Yes", True), ("no", False), ("☒ Yes ☐ No", True), ("☐ Yes ☒ No", False), ("N/A", False)],
)
def test_yes_no_reads_words_and_ticked_boxes(text: str, expected: bool) -> None:
    assert read_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ICPC", ConferenceType.ICPC),
        ("Initial child protection conference", ConferenceType.ICPC),
        ("review", ConferenceType.RCPC),
        ("Transfer-in", ConferenceType.TI),
        ("LAC review", ConferenceType.LAC),
    ],
)
def test_conference_type_is_read_by_abbreviation_or_in_words(
    text: str, expected: ConferenceType
) -> None:
    assert read_conference_type(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MS Teams", MeetingFormat.TEAMS),
        ("Hybrid", MeetingFormat.HYBRID),
        ("Conference call", MeetingFormat.CONFERENCE_CALL),
        ("a series of phone calls", MeetingFormat.PHONE_SERIES),
        ("Face-to-face", MeetingFormat.FACE_TO_FACE),
        ("No preference", None),
    ],
)
def test_preferred_format_is_read_in_the_councils_words(
    text: str, expected: MeetingFormat | None
) -> None:
    assert read_format(text)[0] is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Northshire Police", Role.POLICE),
        ("GP practice", Role.GP),
        ("School nurse", Role.HEALTH),
        ("Health visitor", Role.HEALTH),
        ("Larkfield Academy", Role.SCHOOL),
        ("Probation", Role.AGENCY),
    ],
)
def test_agency_role_is_inferred_from_its_words(text: str, expected: Role) -> None:
    assert read_role(text) is expected


def test_initials_are_normalised_and_full_names_refused() -> None:
    assert read_initials("t. m.") == "TM"
    with pytest.raises(FieldError):
        read_initials("Tobias")


def test_unborn_child_may_carry_its_due_date_in_the_birth_field() -> None:
    assert read_birth("Unborn - EDD 03/03/2027") == (None, True, date(2027, 3, 3))
    assert read_birth("pre-birth") == (None, True, None)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Conference type", FieldKey("", "conference_type")),
        ("Child 2 DOB", FieldKey("child", "date_of_birth", 2)),
        ("Child one case ref", FieldKey("child", "case_reference", 1)),
        ("Parent/Carer 1's e-mail", FieldKey("parent", "email", 1)),
        ("Parent 1 phone 2", FieldKey("parent", "phone", 1)),
        ("Agency 3", FieldKey("agency", "organisation", 3)),
        ("SW phone", FieldKey("social_worker", "phone")),
        ("Interpreter/access needs", FieldKey("", "access_needs")),
        ("Strategy discussion date (dd/mm/yyyy)", FieldKey("", "strategy_date")),
    ],
)
def test_labels_are_matched_whatever_the_spelling(label: str, expected: FieldKey) -> None:
    assert parse_label(label) == expected


def test_bare_label_is_read_inside_the_current_group_only() -> None:
    assert parse_label("Email") is None
    assert parse_label("Email", "agency") == FieldKey("agency", "email")


def test_headings_open_a_group() -> None:
    assert parse_heading("Child 2 details") == ("child", 2)
    assert parse_heading("Parents and carers") == ("parent", None)
    assert parse_heading("Conference type") is None


def test_field_names_are_shown_the_way_the_form_spells_them() -> None:
    assert FieldKey("child", "date_of_birth", 2).display() == "Child 2 date of birth"
    assert FieldKey("", "strategy_date").display() == "Strategy discussion date"


def test_html_keeps_data_tables_and_flattens_layout_tables() -> None:
    html = (
        "<table><tr><td><p>Conference type: ICPC</p>"
        "<table><tr><td>Child 1 initials</td><td>AB</td></tr></table></td></tr></table>"
    )
    assert html_blocks(html) == ["Conference type: ICPC", Table((("Child 1 initials", "AB"),))]


def test_html_never_fetches_or_keeps_remote_content() -> None:
    blocks = html_blocks(
        '<img src="http://example.org/x.png"><iframe src="http://x.test"></iframe>'
    )
    assert blocks == []


def test_icpc_without_strategy_date_breaks_a_domain_rule() -> None:
    child = Child("AB", date(2020, 1, 1))
    with pytest.raises(InvalidRequestError):
        ConferenceRequest(ConferenceType.ICPC, (child,))


def test_unborn_child_cannot_have_a_date_of_birth() -> None:
    with pytest.raises(InvalidRequestError):
        Child("AB", date(2020, 1, 1), unborn=True)
