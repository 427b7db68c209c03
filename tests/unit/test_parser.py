"""The request parser on realistic, fictional request emails: every rule named in a test."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.mailbox import Attachment, InboundMessage
from bot.intake.docx_form import DOCX_CONTENT_TYPE
from bot.intake.parser import AttachToConference, Parsed, Triage, parse_message
from tests.fixtures.requests.tools.attachment_forms import docx_form

MAIL = Path(__file__).parent.parent / "fixtures" / "mail"
RECEIVED = datetime(2026, 11, 9, 9, 30, tzinfo=UTC)


def message(
    body: str,
    *,
    body_type: str = "text",
    subject: str = "Conference request",
    sender: str = "fenella.quist@council.example.org",
    sender_name: str = "Fenella Quist",
    attachments: tuple[Attachment, ...] = (),
) -> InboundMessage:
    return InboundMessage(
        id="AAMkAGI2-test",
        internet_message_id="<req-1@council.example.org>",
        received_at=RECEIVED,
        sender=sender,
        subject=subject,
        body=body,
        body_type=body_type,
        attachments=attachments,
        sender_name=sender_name,
    )


def plain() -> str:
    return (MAIL / "request_plain.txt").read_text(encoding="utf-8")


def parsed(msg: InboundMessage) -> Parsed:
    outcome = parse_message(msg)
    assert isinstance(outcome, Parsed), outcome
    return outcome


def triaged(msg: InboundMessage) -> Triage:
    outcome = parse_message(msg)
    assert isinstance(outcome, Triage), outcome
    return outcome


def test_plain_text_request_is_read_into_every_field() -> None:
    request = parsed(message(plain())).request
    assert request.conference_type is ConferenceType.ICPC
    assert request.strategy_discussion_date == date(2026, 11, 2)
    assert [(c.case_reference, c.initials, c.date_of_birth) for c in request.children] == [
        ("LCS-448812", "T.M.", date(2019, 5, 14)),
        ("LCS-448813", "R.M.", date(2023, 1, 9)),
    ]
    assert request.social_worker.name == "Fenella Quist"
    assert request.social_worker.email == "fenella.quist@council.example.org"
    assert request.social_worker.phone == "+441134960123"
    assert request.team_manager.name == "Barnaby Oakes"
    mother, father = request.parents
    assert mother.name == "Delphine Marsh"
    assert mother.relationship == "mother"
    assert mother.phones == ("+447700900123", "+447700900124")
    assert mother.email == "d.marsh@example.test"
    assert father.phones == ("+447700900555",)
    assert [(a.organisation, a.role) for a in request.agencies] == [
        ("Northshire Police", Role.POLICE),
        ("Larkfield Primary School", Role.SCHOOL),
        ("Hollin Lane Surgery", Role.GP),
    ]
    assert request.agencies[0].phone == "+441134960456"
    assert request.preferred_format is MeetingFormat.TEAMS
    assert request.preferred_chair == "iro.patel@council.example.org"
    assert request.preferred_start == datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    assert request.confidential_section_requested is True
    assert request.confidential_section_reason.startswith("police intelligence")
    assert "Portuguese interpreter" in request.access_needs


def test_preferred_start_is_read_as_london_time_and_stored_in_utc() -> None:
    body = plain().replace("16/11/2026 at 10am", "1 June 2027 10:30")
    start = parsed(message(body)).request.preferred_start
    assert start == datetime(2027, 6, 1, 9, 30, tzinfo=UTC)  # BST is UTC+1


def test_html_request_with_field_and_record_tables_is_read() -> None:
    html = (MAIL / "request_table.html").read_text(encoding="utf-8")
    outcome = parsed(message(html, body_type="html"))
    request = outcome.request
    assert request.conference_type is ConferenceType.RCPC
    assert request.strategy_discussion_date is None  # not needed for a review
    assert request.children[0].case_reference == "MOS-20931"
    assert request.children[0].date_of_birth == date(2016, 11, 3)
    assert request.social_worker.email == "ottilie.brande@council.example.org"
    assert request.social_worker.phone == "+441134960777"
    assert [(p.name, p.phones) for p in request.parents] == [
        ("Ansel Kettering", ("+447700900301",)),
        ("Maud Kettering", ("+447700900302",)),
    ]
    assert [(a.organisation, a.role, a.name) for a in request.agencies] == [
        ("Northshire NHS Trust", Role.HEALTH, "Nell Fairweather"),
        ("Brook Street Academy", Role.SCHOOL, "Abel Trent"),
    ]
    assert request.preferred_format is MeetingFormat.HYBRID
    assert request.confidential_section_requested is False
    assert "BSL" in request.access_needs


def test_html_script_and_style_content_is_never_read_as_fields() -> None:
    html = (
        "<html><head><style>Conference type: TI</style></head><body>"
        "<script>var x = 'Conference type: LAC';</script>"
        + plain().replace("\n", "<br>\n")
        + "</body></html>"
    )
    assert parsed(message(html, body_type="html")).request.conference_type is ConferenceType.ICPC


def test_forwarded_request_with_quoted_lines_and_section_headings_is_read() -> None:
    body = (MAIL / "request_forwarded.txt").read_text(encoding="utf-8")
    outcome = parsed(message(body, subject="FW: Transfer in conference request"))
    request = outcome.request
    assert request.conference_type is ConferenceType.TI
    assert request.children[0].case_reference == "TI-55120"
    assert request.children[0].date_of_birth == date(2020, 2, 29)
    assert request.parents[0].name == "Sorrel Oduya"
    assert request.parents[0].phones == ("+447700900610",)
    assert request.social_worker.email == "hester.vane@council.example.org"
    assert request.preferred_format is MeetingFormat.PHONE_SERIES
    assert "no agencies are listed" in outcome.warnings


def test_labels_tolerate_case_bullets_dashes_and_unicode_colons() -> None:
    body = plain()
    body = body.replace("Conference type: ICPC", "• CONFERENCE TYPE：ICPC")
    body = body.replace("Child 1 initials: T.M.", "- child one initials — T.M.")
    body = body.replace("Social worker email:", "Social Worker's E-mail  :")
    body = body.replace("Strategy discussion date:", "Strategy discussion date (dd/mm/yyyy)\u00a0-")
    request = parsed(message(body)).request
    assert request.conference_type is ConferenceType.ICPC
    assert request.children[0].initials == "T.M."
    assert request.social_worker.email == "fenella.quist@council.example.org"
    assert request.strategy_discussion_date == date(2026, 11, 2)


def test_value_on_the_line_after_its_label_is_read() -> None:
    body = plain().replace("Conference type: ICPC", "Conference type:\nICPC")
    assert parsed(message(body)).request.conference_type is ConferenceType.ICPC


def test_unborn_child_with_due_date_is_read() -> None:
    body = plain().replace("Child 2 date of birth: 09-01-2023", "Child 2 date of birth: Unborn")
    body += "\nChild 2 due date: 3rd March 2027\n"
    unborn = parsed(message(body)).request.children[1]
    assert unborn.unborn is True
    assert unborn.date_of_birth is None
    assert unborn.due_date == date(2027, 3, 3)


def test_request_missing_strategy_date_goes_to_triage_with_reason() -> None:
    body = plain().replace("Strategy discussion date: 2nd November 2026\n", "")
    assert triaged(message(body)).reasons == (
        "an ICPC needs the date of the strategy discussion, and none is given",
    )


def test_request_missing_several_fields_lists_every_one() -> None:
    body = "\n".join(
        line
        for line in plain().splitlines()
        if not line.startswith(("Strategy", "Child 2 initials", "Social worker email", "Team"))
    )
    outcome = triaged(message(body))
    # No team manager is no reason: a council that needs one says so in its playbook.
    assert set(outcome.reasons) == {
        "an ICPC needs the date of the strategy discussion, and none is given",
        "Child 2: the initials are missing",
    }
    assert {p.field for p in outcome.problems} == {
        "strategy_discussion_date",
        "children.1.initials",
    }


def test_triage_keeps_everything_that_was_read() -> None:
    body = plain().replace("Strategy discussion date: 2nd November 2026\n", "")
    draft = triaged(message(body)).draft
    assert draft is not None
    assert [c["initials"] for c in draft["children"]] == ["T.M.", "R.M."]
    assert {p["name"] for p in draft["people"]} >= {"Fenella Quist", "Barnaby Oakes"}


def test_impossible_date_goes_to_triage_naming_field_and_value() -> None:
    body = plain().replace("2nd November 2026", "31/02/2026")
    assert triaged(message(body)).reasons == (
        "field 'Strategy discussion date': '31/02/2026' is not a real date",
    )


def test_month_first_date_is_refused_with_a_day_first_hint() -> None:
    body = plain().replace("14/05/2019", "05/14/2019")
    (reason,) = triaged(message(body)).reasons
    assert reason.startswith("field 'Child 1 date of birth': '05/14/2019' is not a real date")
    assert "day first" in reason


def test_strategy_date_after_the_request_was_sent_goes_to_triage() -> None:
    body = plain().replace("2nd November 2026", "20 November 2026")
    (reason,) = triaged(message(body)).reasons
    assert "after the request was sent" in reason


def test_unreadable_phone_number_goes_to_triage_naming_the_field() -> None:
    body = plain().replace("07700 900555", "ring the nan")
    (reason,) = triaged(message(body)).reasons
    assert reason.startswith("field 'Parent 2 phone': 'ring the nan' is not a phone number")


def test_full_name_in_initials_field_is_read_down_to_initials_and_never_kept() -> None:
    body = plain().replace("Child 1 initials: T.M.", "Child 1 initials: Tobias Marsh")
    request = parsed(message(body)).request
    assert request.children[0].initials == "T.M."
    assert "Tobias" not in repr(request)


def test_unknown_conference_type_goes_to_triage() -> None:
    body = plain().replace("Conference type: ICPC", "Conference type: strategy meeting")
    (reason,) = triaged(message(body)).reasons
    assert reason == "field 'Conference type': 'strategy meeting' should be ICPC, RCPC, TI or LAC"


def test_same_field_with_two_different_values_goes_to_triage() -> None:
    body = plain() + "\nChild 1 date of birth: 15/05/2019\n"
    (reason,) = triaged(message(body)).reasons
    assert "'Child 1 date of birth' is given more than once with different values" in reason


def test_email_without_any_form_goes_to_triage_saying_no_form_was_found() -> None:
    reasons = triaged(message("Hi, can we have a conference for the M family next week?")).reasons
    assert reasons[0].startswith("no request form was found")


def test_skype_preference_is_read_as_teams_with_a_warning() -> None:
    body = plain().replace("Preferred format: Microsoft Teams", "Preferred format: Skype")
    outcome = parsed(message(body))
    assert outcome.request.preferred_format is MeetingFormat.TEAMS
    assert any("Skype" in w for w in outcome.warnings)


def test_email_quoting_a_conference_reference_in_subject_is_attached_as_a_reply() -> None:
    outcome = parse_message(
        message(
            "Thanks, I have read the reports and have nothing to add.", subject="RE: CP-2026-00042"
        )
    )
    assert outcome == AttachToConference("CP-2026-00042", "reply", restricted=False)


def test_agency_report_quoting_a_reference_is_attached_as_a_report() -> None:
    report = Attachment("School report TM.docx", DOCX_CONTENT_TYPE, b"not really a docx")
    outcome = parse_message(
        message(
            "Please find our report for conference CP-2026-00107 attached.",
            subject="School report",
            sender="dsl@larkfield.example.org",
            attachments=(report,),
        )
    )
    assert outcome == AttachToConference("CP-2026-00107", "agency_report", restricted=False)


def test_police_report_is_attached_as_restricted() -> None:
    report = Attachment("Police report.pdf", "application/pdf", b"%PDF-1.7 ...")
    outcome = parse_message(
        message(
            "Report for CP-2026-00107 attached.",
            subject="Conference report",
            sender="ivo.penrose@police.example.org",
            sender_name="Ivo Penrose",
            attachments=(report,),
        )
    )
    assert outcome == AttachToConference("CP-2026-00107", "agency_report", restricted=True)


def test_report_whose_attachment_names_police_is_restricted_whatever_the_sender() -> None:
    report = Attachment("police_information_CP-2026-00107.pdf", "application/pdf", b"%PDF")
    outcome = parse_message(
        message("See attached.", subject="CP-2026-00107 report", attachments=(report,))
    )
    assert isinstance(outcome, AttachToConference)
    assert outcome.restricted is True


def test_confidential_section_request_for_a_conference_is_attached_and_restricted() -> None:
    outcome = parse_message(
        message(
            "We need a confidential section at the start: information about a third party.",
            subject="Confidential section request CP-2026-00042",
            sender="nell.fairweather@nhs.example.org",
        )
    )
    assert outcome == AttachToConference("CP-2026-00042", "confidential_request", restricted=True)


def test_email_quoting_two_conferences_goes_to_triage() -> None:
    reasons = triaged(message("About CP-2026-00042 and CP-2026-00043", subject="Reports")).reasons
    assert "more than one conference reference" in reasons[0]


def test_new_request_quoting_an_earlier_conference_keeps_it_as_previous_reference() -> None:
    body = plain().replace("ICPC", "RCPC") + "\nThe ICPC was CP-2026-00012.\n"
    outcome = parsed(message(body))
    assert outcome.request.previous_reference == "CP-2026-00012"


def build_docx_form(*, rows: list[tuple[str, str]], lines: tuple[str, ...] = ()) -> bytes:
    return docx_form(rows, lines)


DOCX_ROWS = [
    ("Conference type", "ICPC"),
    ("Strategy discussion date", "30 October 2026"),
    ("Child 1 case reference", "LCS-770001"),
    ("Child 1 initials", "E.W."),
    ("Child 1 date of birth", "unborn"),
    ("Child 1 due date", "12/01/2027"),
    ("Social worker", "Ignatius Bell"),
    ("Social worker email", "ignatius.bell@council.example.org"),
    ("Team manager", "Rosalind Fenn"),
    ("Parent 1 name", "Clover Wren"),
    ("Parent 1 phone", "0113 496 0999"),
    ("Agency 1 organisation", "Northshire Midwifery Service"),
    ("Agency 1 email", "midwives@nhs.example.org"),
    ("Confidential section requested", "☐ Yes ☒ No"),
]


def test_word_form_attached_to_an_empty_email_is_read() -> None:
    form = Attachment("ICPC request form.docx", DOCX_CONTENT_TYPE, build_docx_form(rows=DOCX_ROWS))
    outcome = parsed(message("Please see the attached form.", attachments=(form,)))
    request = outcome.request
    assert request.conference_type is ConferenceType.ICPC
    assert request.children[0].unborn is True
    assert request.children[0].due_date == date(2027, 1, 12)
    assert request.parents[0].phones == ("+441134960999",)
    assert request.agencies[0].role is Role.HEALTH
    assert request.confidential_section_requested is False


def test_word_form_with_paragraph_labels_is_read() -> None:
    rows = [r for r in DOCX_ROWS if r[0] != "Conference type"]
    form = build_docx_form(
        rows=rows, lines=("Conference type: Initial child protection conference",)
    )
    attachment = Attachment("form.docx", "application/octet-stream", form)
    request = parsed(message("", attachments=(attachment,))).request
    assert request.conference_type is ConferenceType.ICPC


def test_word_form_and_body_disagreeing_goes_to_triage_naming_both_sources() -> None:
    form = Attachment("form.docx", DOCX_CONTENT_TYPE, build_docx_form(rows=DOCX_ROWS))
    (reason,) = triaged(message("Conference type: RCPC", attachments=(form,))).reasons
    assert "the email body" in reason
    assert "attachment 'form.docx'" in reason


def test_damaged_word_attachment_goes_to_triage_with_reason() -> None:
    junk = Attachment("request.docx", DOCX_CONTENT_TYPE, b"PK\x03\x04 this is not a zip")
    reasons = triaged(message("Form attached.", attachments=(junk,))).reasons
    assert reasons[0].startswith("no request form was found")
    assert "attachment 'request.docx' could not be read" in reasons[1]


def test_old_word_format_is_named_as_unread() -> None:
    old = Attachment("request.doc", "application/msword", b"\xd0\xcf\x11\xe0")
    reasons = triaged(message("Form attached.", attachments=(old,))).reasons
    assert any("'request.doc' was not read" in r for r in reasons)


def test_parser_logs_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    parse_message(message(plain()))
    parse_message(message(plain().replace("2nd November 2026", "31/02/2026")))
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "AAMkAGI2-test" in logged
    for secret in ("Marsh", "Quist", "07700", "example", "LCS-448812", "2019"):
        assert secret not in logged


def test_internal_error_becomes_triage_not_an_exception() -> None:
    broken = message("Conference type: ICPC")
    object.__setattr__(broken, "attachments", (None,))  # an adapter bug, not a real mail
    reasons = triaged(broken).reasons
    assert "internal error" in reasons[0]


def test_word_form_fields_inside_content_controls_are_read() -> None:
    from docx.oxml import OxmlElement

    document = docx.Document()
    for label, value in DOCX_ROWS:
        paragraph = document.add_paragraph(f"{label}: ")
        # Word's form fields: the value sits in a content control (w:sdt) inside the line.
        sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
        run, text = OxmlElement("w:r"), OxmlElement("w:t")
        text.text = value
        run.append(text)
        content.append(run)
        sdt.append(content)
        paragraph._p.append(sdt)
    out = io.BytesIO()
    document.save(out)
    form = Attachment("form.docx", DOCX_CONTENT_TYPE, out.getvalue())
    request = parsed(message("", attachments=(form,))).request
    assert request.children[0].case_reference == "LCS-770001"
    assert request.team_manager.name == "Rosalind Fenn"


def test_reply_quoting_the_whole_form_under_a_referenced_subject_is_not_a_new_request() -> None:
    quoted = "\n".join("> " + line for line in plain().splitlines())
    outcome = parse_message(
        message("Thank you.\n\n" + quoted, subject="RE: Conference booked CP-2026-00042")
    )
    assert isinstance(outcome, AttachToConference)
    assert (outcome.reference, outcome.kind) == ("CP-2026-00042", "reply")
    # The quoted form speaks of police intelligence: quoted text counts for restriction.
    assert outcome.restricted is True
