"""Word attachments through the one entry point, and zip bombs refused before python-docx."""

from __future__ import annotations

import time

import docx
import pytest

from bot.core.mailbox import Attachment
from bot.intake.attachments import AttachmentText, Unreadable, read_attachment
from bot.intake.blocks import Table
from tests.fixtures.requests.tools import attachment_forms as forms


def test_word_form_is_read_into_its_heading_and_table() -> None:
    result = read_attachment(Attachment("form.docx", forms.DOCX_TYPE, forms.docx_form()))
    assert isinstance(result, AttachmentText)
    assert result.blocks[0] == "Child protection conference request"
    assert result.blocks[1] == Table(tuple(forms.FORM_ROWS))
    assert result.source == "attachment 'form.docx'"


@pytest.mark.parametrize("lie", [False, True], ids=["honest sizes", "lying sizes"])
def test_zip_bomb_named_docx_is_refused_quickly_without_python_docx(
    lie: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("python-docx was given the zip bomb")

    monkeypatch.setattr(docx, "Document", never)
    bomb = forms.zip_bomb_docx(lie=lie)
    started = time.perf_counter()
    result = read_attachment(Attachment("form.docx", forms.DOCX_TYPE, bomb))
    assert time.perf_counter() - started < 2
    assert isinstance(result, Unreadable)
    assert result.reason.startswith("the Word attachment 'form.docx' could not be read: ")


def test_zip_bomb_whose_declared_sizes_are_honest_is_named_as_one() -> None:
    result = read_attachment(Attachment("form.docx", "", forms.zip_bomb_docx(lie=False)))
    assert isinstance(result, Unreadable)
    assert result.reason.endswith("it unpacks to far more than a request form")


def test_damaged_word_file_is_refused_by_name() -> None:
    result = read_attachment(Attachment("form.docx", "", forms.truncated(forms.docx_form())))
    assert isinstance(result, Unreadable)
    assert result.reason.startswith("the Word attachment 'form.docx' could not be read: ")


def test_old_word_format_is_named_as_not_read() -> None:
    result = read_attachment(Attachment("request.doc", "application/msword", b"\xd0\xcf\x11\xe0"))
    assert isinstance(result, Unreadable)
    assert "'request.doc' was not read" in result.reason


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("image001.png", "image/png"), ("smime.p7s", "application/pkcs7-signature"),
     ("invite.ics", "text/calendar"), ("logo.jpg", "image/jpeg")],
)  # fmt: skip
def test_pictures_signatures_and_invites_are_not_forms(name: str, content_type: str) -> None:
    assert read_attachment(Attachment(name, content_type, b"\x89PNG\r\n")) is None


@pytest.mark.parametrize(
    "header",
    [{"version": 99}, {"method": 99}, {"flags": 0x41}, {"version": 99, "method": 14}],
    ids=["unknown version", "unknown compression", "strong encryption", "both"],
)
def test_word_file_whose_zip_header_claims_an_unknown_version_is_refused_naming_the_file(
    header: dict[str, int],
) -> None:
    from datetime import UTC, datetime

    from bot.core.mailbox import InboundMessage
    from bot.intake.parser import Triage, parse_message

    damaged = forms.docx_with_zip_header(**header)
    result = read_attachment(Attachment("form.docx", forms.DOCX_TYPE, damaged))
    assert isinstance(result, Unreadable)
    assert result.reason.startswith("the Word attachment 'form.docx' could not be read: it ")

    # Through the whole parser the reason reaches the triage item, never "internal error".
    message = InboundMessage(
        id="m-1",
        internet_message_id="<m-1@council.example.org>",
        received_at=datetime(2026, 11, 4, 9, 30, tzinfo=UTC),
        sender=forms.SENDER,
        subject="ICPC request",
        body="Please find the request form attached.",
        body_type="text",
        attachments=(Attachment("form.docx", forms.DOCX_TYPE, damaged),),
    )
    outcome = parse_message(message)
    assert isinstance(outcome, Triage)
    assert result.reason in outcome.reasons
    assert not any("internal error" in reason for reason in outcome.reasons)
