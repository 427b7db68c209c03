"""The request reader takes forms from attached Outlook emails and PDFs, and names any it
could not read in its triage reasons."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.mailbox import Attachment, InboundMessage
from bot.intake.parser import Parsed, Triage, parse_message
from tests.fixtures.requests.tools import attachment_forms as forms
from tests.fixtures.requests.tools.msg_writer import MsgAttachment

RECEIVED = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)  # after the strategy discussion


def forwarded(*attachments: Attachment) -> InboundMessage:
    return InboundMessage(
        id="AAMkAGI2-attachments",
        internet_message_id="<fw-1@council.example.org>",
        received_at=RECEIVED,
        sender="cp.admin@council.example.org",
        subject="FW: conference request",
        body="Forwarded from the team, form attached.",
        body_type="text",
        attachments=attachments,
        sender_name="CP Admin",
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("request.msg", forms.msg_form()),
        ("form.pdf", forms.acroform_pdf()),
        ("referral.pdf", forms.text_pdf(forms.form_lines())),
        (
            "request.msg",
            forms.msg_form(html_body=b"<p>See form.</p>", attachments=(
                MsgAttachment("form.docx", forms.docx_form(), forms.DOCX_TYPE),
            )),
        ),
    ],
    ids=["msg body", "acroform pdf", "text pdf", "docx inside msg"],
)  # fmt: skip
def test_request_form_in_an_attachment_is_read_into_a_request(name: str, content: bytes) -> None:
    outcome = parse_message(forwarded(Attachment(name, "", content)))
    assert isinstance(outcome, Parsed), outcome
    request = outcome.request
    assert request.strategy_discussion_date == date(2026, 11, 3)
    assert [c.initials for c in request.children] == ["P.Q."]
    assert request.social_worker.emails == ("orla.finchley@council.example.org",)
    assert request.parents[0].phones == ("+447700900412",)


def test_unreadable_pdf_inside_an_attached_email_is_named_in_triage() -> None:
    locked = forms.encrypted_pdf(forms.text_pdf(forms.form_lines()), user_password="s3cret")
    content = forms.msg_form(
        html_body=b"<p>Form attached.</p>",
        attachments=(MsgAttachment("referral.pdf", locked, "application/pdf"),),
    )
    outcome = parse_message(forwarded(Attachment("request.msg", "", content)))
    assert isinstance(outcome, Triage)
    assert any(
        "'referral.pdf' (inside 'request.msg') could not be read: it is password-protected" in r
        for r in outcome.reasons
    ), outcome.reasons


def test_sender_of_an_attached_email_is_the_social_worker_when_the_form_names_none() -> None:
    # MTS forward the social worker's email as an attachment; the form inside leaves out
    # the social worker, who wrote it: their name and address come from its From.
    rows = [row for row in forms.FORM_ROWS if not row[0].startswith("Social worker")]
    content = forms.msg_form(html_body=forms.html_form(rows))
    outcome = parse_message(forwarded(Attachment("request.msg", "", content)))
    assert isinstance(outcome, Parsed), outcome
    worker = outcome.request.social_worker
    assert worker.name == forms.SENDER_NAME
    assert worker.emails == (forms.SENDER,)


def test_shared_mailbox_that_sent_an_attached_email_is_not_taken_as_the_social_worker() -> None:
    rows = [row for row in forms.FORM_ROWS if not row[0].startswith("Social worker")]
    content = forms.msg_form(
        html_body=forms.html_form(rows),
        sender="cp.conferences@council.example.org",
        sender_name="CP Conferences Mailbox",
    )
    outcome = parse_message(forwarded(Attachment("request.msg", "", content)))
    # Both the outer sender and the attached email's are shared mailboxes: neither is
    # the social worker, so the request waits in triage for a person to name one.
    assert isinstance(outcome, Triage), outcome
    workers = [p for p in outcome.draft["people"] if p["role"] == "social_worker"]
    assert not any("@council.example.org" in str(p["emails"]) for p in workers), workers
