"""PDF attachments: filled-in form fields as a label/value table, then the page text."""

from __future__ import annotations

from bot.core.mailbox import Attachment
from bot.intake.attachments import AttachmentText, Unreadable, read_attachment
from bot.intake.blocks import Table
from tests.fixtures.requests.tools import attachment_forms as forms

PDF = "application/pdf"


def read(name: str, content: bytes) -> AttachmentText | Unreadable | None:
    return read_attachment(Attachment(name, PDF, content))


def test_acroform_pdf_fields_come_first_as_label_and_value_rows() -> None:
    result = read("ICPC form.pdf", forms.acroform_pdf(ticked=("Confidential section requested",)))
    assert isinstance(result, AttachmentText)
    table = result.blocks[0]
    assert isinstance(table, Table)
    assert table.rows == (*forms.FORM_ROWS, ("Confidential section requested", "Yes"))
    assert result.blocks[1] == "Request form (fill in the boxes)"  # then the printed page
    assert result.pages == 1


def test_empty_acroform_fields_are_left_out() -> None:
    rows = [("Conference type", "ICPC"), ("Team manager", "")]
    result = read("form.pdf", forms.acroform_pdf(rows=rows))
    assert isinstance(result, AttachmentText)
    assert result.blocks[0] == Table((("Conference type", "ICPC"),))


def test_text_pdf_becomes_its_printed_lines_with_its_page_count() -> None:
    result = read("referral.pdf", forms.text_pdf(forms.form_lines(), pages=2))
    assert isinstance(result, AttachmentText)
    assert result.pages == 2
    lines = [b for b in result.blocks if isinstance(b, str)]
    assert lines[:3] == [
        "Child protection conference request",
        "Conference type: ICPC",
        "Strategy discussion date: 3 November 2026",
    ]
    assert "Social worker email: orla.finchley@council.example.org" in lines
    assert "Page 2 of 2" in lines


def test_pdf_locked_with_an_empty_password_is_opened_and_read() -> None:
    locked = forms.encrypted_pdf(forms.text_pdf(forms.form_lines()), user_password="")
    result = read("referral.pdf", locked)
    assert isinstance(result, AttachmentText)
    assert "Conference type: ICPC" in result.blocks


def test_password_protected_pdf_is_refused_by_name() -> None:
    locked = forms.encrypted_pdf(forms.text_pdf(forms.form_lines()), user_password="s3cret")
    result = read("referral.pdf", locked)
    assert isinstance(result, Unreadable)
    assert result.reason.startswith("the PDF attachment 'referral.pdf' could not be read")
    assert "password-protected" in result.reason


def test_damaged_pdf_is_refused_by_name_in_plain_words() -> None:
    result = read("referral.pdf", forms.damaged_pdf(b""))
    assert isinstance(result, Unreadable)
    assert result.reason == (
        "the PDF attachment 'referral.pdf' could not be read: it is damaged or incomplete; "
        "ask the sender to attach it again"
    )


def test_truncated_pdf_is_refused_by_name() -> None:
    whole = forms.text_pdf(forms.form_lines(), pages=3)
    result = read("referral.pdf", forms.truncated(whole))
    assert isinstance(result, Unreadable)
    assert "'referral.pdf'" in result.reason
    assert "damaged" in result.reason


def test_pdf_of_sixty_pages_is_refused_as_not_a_form() -> None:
    result = read("minutes.pdf", forms.sixty_page_pdf())
    assert isinstance(result, Unreadable)
    assert result.reason == (
        "the PDF attachment 'minutes.pdf' could not be read: it has 60 pages; "
        "a request form has at most 50"
    )


def test_pdf_over_twenty_megabytes_is_refused_before_it_is_parsed() -> None:
    huge = forms.text_pdf(["x"]) + b"%" + b"0" * (20 * 1024 * 1024)
    result = read("scan.pdf", huge)
    assert isinstance(result, Unreadable)
    assert "'scan.pdf'" in result.reason and "larger than a request form" in result.reason


def test_file_named_pdf_that_is_not_one_says_so() -> None:
    result = read("form.pdf", b"<html>this is a web page</html>")
    assert isinstance(result, Unreadable)
    assert result.reason == "the PDF attachment 'form.pdf' could not be read: it is not a PDF file"
