"""Limits: deep nesting, size, time and bad encodings are refused with a reason naming the file;
random and damaged bytes never raise."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.mailbox import Attachment
from bot.intake import attachments
from bot.intake.attachments import AttachmentText, Unreadable, read_attachment, read_attachments
from tests.fixtures.requests.tools import attachment_forms as forms
from tests.fixtures.requests.tools.msg_writer import Msg, MsgAttachment, msg_bytes

MSG_TYPE = "application/vnd.ms-outlook"
WORD = MsgAttachment("form.docx", forms.docx_form(), forms.DOCX_TYPE)


@pytest.mark.parametrize("embedded", [False, True], ids=["msg files", "embedded emails"])
def test_form_inside_three_emails_is_read(embedded: bool) -> None:
    # The attached top.msg, and two more each inside the last: the form is three deep.
    content = forms.nested_msgs(2, WORD, embedded=embedded)
    results = read_attachments((Attachment("top.msg", MSG_TYPE, content),))
    assert all(isinstance(r, AttachmentText) for r in results), results
    assert [r.name for r in results if isinstance(r, AttachmentText)][-1] == "form.docx"


@pytest.mark.parametrize("embedded", [False, True], ids=["msg files", "embedded emails"])
def test_email_nested_deeper_than_three_is_refused_by_name(embedded: bool) -> None:
    content = forms.nested_msgs(5, WORD, embedded=embedded)
    results = read_attachments((Attachment("top.msg", MSG_TYPE, content),))
    refused = [r for r in results if isinstance(r, Unreadable)]
    assert len(refused) == 1
    fourth = "level 4.msg" if embedded else "level-4.msg"
    third = "level 3.msg" if embedded else "level-3.msg"
    assert refused[0].reason == (
        f"the Outlook attachment '{fourth}' (inside '{third}') could not be read: it is inside "
        "more than 3 attached emails; please send the form on its own"
    )
    assert not any(isinstance(r, AttachmentText) and r.name == "form.docx" for r in results)


def test_attachment_given_at_too_great_a_depth_is_refused_whatever_its_kind() -> None:
    result = read_attachment(Attachment("form.docx", forms.DOCX_TYPE, forms.docx_form()), depth=4)
    assert isinstance(result, Unreadable)
    assert "'form.docx'" in result.reason and "more than 3 attached emails" in result.reason


def test_msg_over_twenty_megabytes_is_refused_before_it_is_opened() -> None:
    big = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(21 * 1024 * 1024)
    started = time.perf_counter()
    result = read_attachment(Attachment("request.msg", MSG_TYPE, big))
    assert time.perf_counter() - started < 0.5
    assert result == Unreadable(
        "the Outlook attachment 'request.msg' could not be read: it is larger than a request "
        "can be (21 MB; at most 20 MB)",
        "request.msg",
    )


def test_file_named_msg_that_is_not_an_outlook_email_says_so() -> None:
    # Short bytes matter too: the OLE library would take bytes under 1,536 for a path.
    for content in (b"/etc/hostname", b"From: someone\r\n\r\nhello" * 200):
        result = read_attachment(Attachment("request.msg", "", content))
        assert isinstance(result, Unreadable)
        assert result.reason.endswith("it is not an Outlook email (.msg) file")


def test_msg_with_an_unknown_code_page_is_refused_as_an_encoding_problem() -> None:
    content = msg_bytes(Msg(subject="Request", body="Form below", unicode=False, code_page=1252))
    # Rewrite the declared code page (3FFD0003) to one that does not exist.
    content = content.replace(
        (0x3FFD0003).to_bytes(4, "little")
        + (6).to_bytes(4, "little")
        + (1252).to_bytes(4, "little"),
        (0x3FFD0003).to_bytes(4, "little")
        + (6).to_bytes(4, "little")
        + (64999).to_bytes(4, "little"),
    )
    result = read_attachment(Attachment("request.msg", MSG_TYPE, content))
    assert isinstance(result, Unreadable)
    assert result.reason == (
        "the Outlook attachment 'request.msg' could not be read: its text is in a character "
        "encoding confbot cannot read"
    )


def test_msg_whose_unicode_text_is_broken_is_refused_as_an_encoding_problem() -> None:
    content = msg_bytes(Msg(body="x", extra_streams={"__substg1.0_0037001F": b"A\x00B"}))
    result = read_attachment(Attachment("request.msg", MSG_TYPE, content))
    assert isinstance(result, Unreadable)
    assert "'request.msg'" in result.reason and "character encoding" in result.reason


def test_html_body_in_an_unknown_charset_falls_back_to_the_plain_body() -> None:
    html = b'<html><head><meta charset="x-no-such-charset"></head><body>Hi</body></html>'
    content = forms.msg_form(html_body=html, body="Conference type: ICPC")
    result = read_attachment(Attachment("request.msg", MSG_TYPE, content))
    assert isinstance(result, AttachmentText)
    assert result.blocks == ["Conference type: ICPC"]


def test_html_body_in_an_unknown_charset_with_no_plain_body_is_refused() -> None:
    html = b'<html><head><meta charset="x-no-such-charset"></head><body>Hi</body></html>'
    result = read_attachment(Attachment("request.msg", MSG_TYPE, forms.msg_form(html_body=html)))
    assert isinstance(result, Unreadable)
    assert "character encoding" in result.reason


def test_attachment_that_runs_out_of_time_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(attachments, "MAX_SECONDS", -1.0)
    result = read_attachment(Attachment("long.pdf", "", forms.text_pdf(["x"], pages=3)))
    assert isinstance(result, Unreadable)
    assert result.reason.startswith("the PDF attachment 'long.pdf' could not be read: it took")


def test_email_whose_attachments_run_out_of_time_says_the_rest_were_not_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(attachments, "MAX_SECONDS", -1.0)
    content = forms.msg_form(attachments=(WORD, WORD))
    results = read_attachments((Attachment("request.msg", MSG_TYPE, content),))
    assert isinstance(results[0], AttachmentText)
    assert any(
        isinstance(r, Unreadable) and "'request.msg'" in r.reason and "too long" in r.reason
        for r in results
    )


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.sampled_from(["form.pdf", "request.msg", "form.docx", "FORM.PDF", "Request.MSG"])
PREFIXES = st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1")])


@FUZZ
@given(name=NAMES, prefix=PREFIXES, content=st.binary(max_size=4000))
def test_random_bytes_named_as_a_form_never_raise_and_give_a_reason(
    name: str, prefix: bytes, content: bytes
) -> None:
    result = read_attachment(Attachment(name, "", prefix + content))
    assert isinstance(result, Unreadable), result
    assert f"'{name}'" in result.reason
    assert "internal error" not in result.reason


VALID = {
    "form.pdf": forms.acroform_pdf(),
    "request.msg": forms.msg_form(attachments=(WORD,)),
    "form.docx": forms.docx_form(),
}


@FUZZ
@given(
    name=st.sampled_from(sorted(VALID)),
    position=st.floats(min_value=0, max_value=1),
    junk=st.binary(min_size=1, max_size=64),
)
def test_damaged_forms_never_raise_and_a_refusal_names_the_file(
    name: str, position: float, junk: bytes
) -> None:
    good = VALID[name]
    at = int(position * (len(good) - 1))
    damaged = good[:at] + junk + good[at + len(junk) :]
    started = time.perf_counter()
    results = read_attachments((Attachment(name, "", damaged),))
    assert time.perf_counter() - started < 5
    for result in results:
        assert isinstance(result, AttachmentText | Unreadable)
        if isinstance(result, Unreadable):
            assert "'" in result.reason and "internal error" not in result.reason
    if results and isinstance(results[0], Unreadable):
        assert f"'{name}'" in results[0].reason
