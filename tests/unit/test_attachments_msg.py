"""Outlook .msg attachments: body, sender and subject read; their own attachments read too."""

from __future__ import annotations

import os
import tempfile

import extract_msg
import pytest

from bot.core.mailbox import Attachment
from bot.intake.attachments import AttachmentText, Unreadable, read_attachment, read_attachments
from bot.intake.blocks import Table
from tests.fixtures.requests.tools import attachment_forms as forms
from tests.fixtures.requests.tools.msg_writer import Msg, MsgAttachment, msg_bytes

MSG_TYPE = "application/vnd.ms-outlook"


def read(name: str, content: bytes, content_type: str = "") -> AttachmentText:
    result = read_attachment(Attachment(name, content_type, content))
    assert isinstance(result, AttachmentText), result
    return result


def test_msg_with_an_html_form_body_becomes_its_table_and_lines_with_its_sender() -> None:
    body = forms.html_form(intro="Please book an ICPC for P.Q.")
    text = read("request.msg", forms.msg_form(html_body=body))
    assert text.blocks[0] == "Please book an ICPC for P.Q."
    table = text.blocks[1]
    assert isinstance(table, Table)
    assert table.rows == tuple(forms.FORM_ROWS)
    assert text.blocks[2] == "Kind regards,"
    assert text.sender == "orla.finchley@council.example.org"
    assert text.sender_name == "Orla Finchley"
    assert text.subject == "ICPC request"
    assert text.source == "attachment 'request.msg'"


def test_msg_without_an_html_body_is_read_from_its_plain_text() -> None:
    plain = "Conference type: RCPC\r\nChild 1 initials: P.Q.\r\n"
    text = read("request.msg", forms.msg_form(html_body=b"", body=plain))
    assert [b for b in text.blocks if b] == ["Conference type: RCPC", "Child 1 initials: P.Q."]


def test_msg_is_recognised_by_its_content_type_without_the_extension() -> None:
    text = read("Forwarded request", forms.msg_form(), MSG_TYPE)
    assert text.sender_name == "Orla Finchley"


def test_msg_sender_falls_back_to_the_from_header_when_no_smtp_address_is_kept() -> None:
    # An Exchange sender: the address property is an X.500 path, the header says who it was.
    content = msg_bytes(
        Msg(
            subject="Request",
            body="See form.",
            sender_address="/O=EXAMPLE/OU=EXCHANGE/CN=RECIPIENTS/CN=OFINCHLEY",
            headers="Received: by mail.example.org\r\nFrom: Orla Finchley "
            "<orla.finchley@council.example.org>\r\nSubject: Request\r\n",
        )
    )
    text = read("request.msg", content)
    assert text.sender == "orla.finchley@council.example.org"
    assert text.sender_name == "Orla Finchley"


def test_msg_in_an_eight_bit_code_page_is_decoded_with_it() -> None:
    content = msg_bytes(
        Msg(subject="Café meeting", body="Parent 1 name: Zoë Marchbank", unicode=False)
    )
    text = read("old.msg", content)
    assert text.subject == "Café meeting"
    assert text.blocks == ["Parent 1 name: Zoë Marchbank"]


def test_msg_holding_a_word_form_gives_the_form_after_the_email() -> None:
    word = MsgAttachment("ICPC form.docx", forms.docx_form(), forms.DOCX_TYPE)
    content = forms.msg_form(html_body=b"<p>Form attached.</p>", attachments=(word,))
    email, form = read_attachments((Attachment("request.msg", MSG_TYPE, content),))
    assert isinstance(email, AttachmentText)
    assert email.blocks == ["Form attached."]
    assert isinstance(form, AttachmentText)
    assert form.name == "ICPC form.docx"
    assert form.within == ("request.msg",)
    assert form.source == "attachment 'ICPC form.docx' (inside 'request.msg')"
    tables = [b for b in form.blocks if isinstance(b, Table)]
    assert tables[0].rows == tuple(forms.FORM_ROWS)


def test_msg_holding_an_embedded_email_reads_that_email_and_its_sender() -> None:
    inner = Msg(
        subject="Original request",
        html=forms.html_form(),
        sender_name="Orla Finchley",
        sender_smtp="orla.finchley@council.example.org",
    )
    outer = msg_bytes(
        Msg(
            subject="FW: Original request",
            body="Forwarding this on.",
            sender_name="Admin Team",
            sender_smtp="admin@council.example.org",
            attachments=(MsgAttachment("Original request", message=inner),),
        )
    )
    email, embedded = read_attachments((Attachment("fw.msg", MSG_TYPE, outer),))
    assert isinstance(email, AttachmentText) and isinstance(embedded, AttachmentText)
    assert email.sender == "admin@council.example.org"
    assert embedded.sender == "orla.finchley@council.example.org"
    assert embedded.subject == "Original request"
    assert embedded.within == ("fw.msg",)
    assert isinstance(embedded.blocks[0], Table)


def test_pictures_and_signatures_inside_a_msg_are_passed_over() -> None:
    content = forms.msg_form(
        attachments=(
            MsgAttachment("image001.png", b"\x89PNG\r\n\x1a\n", "image/png"),
            MsgAttachment("smime.p7s", b"0\x82", "application/pkcs7-signature"),
        )
    )
    (email,) = read_attachments((Attachment("request.msg", MSG_TYPE, content),))
    assert isinstance(email, AttachmentText)
    assert email.attachments == ()


def test_damaged_attachment_inside_a_msg_is_named_with_the_email_it_is_in() -> None:
    junk = MsgAttachment("referral.pdf", b"%PDF-1.7 nothing else", "application/pdf")
    content = forms.msg_form(attachments=(junk,))
    _, problem = read_attachments((Attachment("request.msg", MSG_TYPE, content),))
    assert isinstance(problem, Unreadable)
    assert problem.reason.startswith(
        "the PDF attachment 'referral.pdf' (inside 'request.msg') could not be read"
    )


def test_reading_a_msg_closes_it_and_leaves_no_temporary_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed: list[object] = []
    real_close = extract_msg.MSGFile.close

    def close(self: extract_msg.MSGFile) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(extract_msg.MSGFile, "close", close)
    before = set(os.listdir(tempfile.gettempdir()))
    word = MsgAttachment("form.docx", forms.docx_form(), forms.DOCX_TYPE)
    read("request.msg", forms.msg_form(attachments=(word,)))
    assert closed, "the .msg file was never closed"
    assert set(os.listdir(tempfile.gettempdir())) - before == set()


def test_a_msg_that_fails_to_read_is_still_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[object] = []
    real_close = extract_msg.MSGFile.close

    def close(self: extract_msg.MSGFile) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(extract_msg.MSGFile, "close", close)
    bad_subject = {"__substg1.0_0037001F": b"\x41\x00\x42"}  # odd length: not UTF-16
    content = msg_bytes(Msg(body="x", extra_streams=bad_subject))
    result = read_attachment(Attachment("request.msg", MSG_TYPE, content))
    assert isinstance(result, Unreadable)
    assert closed
