"""Fuzzing: the parser never raises, and whatever it cannot read goes to triage with a reason."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.mailbox import Attachment, InboundMessage
from bot.intake.docx_form import DOCX_CONTENT_TYPE
from bot.intake.parser import AttachToConference, Parsed, Triage, parse_message

MAIL = Path(__file__).parent.parent / "fixtures" / "mail"
PLAIN = (MAIL / "request_plain.txt").read_text(encoding="utf-8")
HTML = (MAIL / "request_table.html").read_text(encoding="utf-8")


def fuzz(examples: int) -> settings:
    """Settings for a fuzz test: no per-example deadline, since 2 MB inputs are slow."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# Every code point, lone surrogates included: a badly decoded body can carry any of them.
any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=2000)
form_words = st.sampled_from(
    [
        "Conference type", "ICPC", "Child 1", "Child 2 date of birth", "initials", "unborn",
        "Parent 1 phone", "Agency", "Social worker", "Team manager", "Email", ":", " - ",
        "\n", "\t", "> ", "•", "31/02/2026", "3rd Nov 2026", "07700 900123", "CP-2026-00042",
        "---------- Forwarded message ---------", "From:", "☒ Yes", "a@example.org", "  ",
    ]
)  # fmt: skip
formish_text = st.lists(st.one_of(form_words, any_text.map(lambda s: s[:20])), max_size=80).map(
    "".join
)


def message(
    body: str,
    *,
    body_type: str = "text",
    subject: str = "Conference request",
    sender: str = "someone@example.org",
    attachments: tuple[Attachment, ...] = (),
) -> InboundMessage:
    return InboundMessage(
        id="fuzz-1",
        internet_message_id="<fuzz@example.org>",
        received_at=datetime(2026, 11, 9, 9, 30, tzinfo=UTC),
        sender=sender,
        subject=subject,
        body=body,
        body_type=body_type,
        attachments=attachments,
    )


def check(msg: InboundMessage) -> None:
    outcome = parse_message(msg)
    assert isinstance(outcome, Parsed | AttachToConference | Triage)
    if isinstance(outcome, Triage):
        assert outcome.reasons
        assert all(isinstance(r, str) and r.strip() for r in outcome.reasons)
        for reason in outcome.reasons:
            reason.encode("utf-8")  # reasons are shown on a page: they must encode
        # The catch-all keeps the promise, but reaching it on any of these inputs is a bug.
        assert not any("internal error" in r for r in outcome.reasons), outcome.reasons


@fuzz(1500)
@given(body=any_text, subject=any_text, body_type=st.sampled_from(["text", "html", "", "rtf"]))
def test_parser_never_raises_on_arbitrary_text(body: str, subject: str, body_type: str) -> None:
    check(message(body, subject=subject, body_type=body_type))


@fuzz(1500)
@given(body=formish_text, body_type=st.sampled_from(["text", "html"]))
def test_parser_never_raises_on_text_made_of_form_fragments(body: str, body_type: str) -> None:
    check(message(body, body_type=body_type))


tags = st.sampled_from(
    ["p", "div", "table", "tr", "td", "th", "br", "b", "span", "script", "style", "li",
     "a", "img", "head", "title", "blockquote", "svg", "!--", "![CDATA["],
)  # fmt: skip
html_fragment = st.lists(
    st.one_of(
        tags.map(lambda t: f"<{t}>"),
        tags.map(lambda t: f"</{t}>"),
        tags.map(lambda t: f'<{t} style="x" href="http://example.org/x">'),
        form_words,
        st.sampled_from(["&nbsp;", "&amp;", "&#0;", "&#x110000;", "&bogus;", "<", ">", "<!"]),
        any_text.map(lambda s: s[:10]),
    ),
    max_size=120,
).map("".join)


@fuzz(1500)
@given(html=html_fragment)
def test_parser_never_raises_on_arbitrary_html(html: str) -> None:
    check(message(html, body_type="html"))


@fuzz(500)
@given(
    data=st.data(),
    body_type=st.sampled_from(["text", "html"]),
)
def test_parser_never_raises_on_mutated_real_requests(data: st.DataObject, body_type: str) -> None:
    source = PLAIN if body_type == "text" else HTML
    lines = source.splitlines()
    mutated = []
    for line in lines:
        action = data.draw(st.sampled_from(["keep", "keep", "keep", "drop", "junk", "value"]))
        if action == "keep":
            mutated.append(line)
        elif action == "junk":
            mutated.append(data.draw(formish_text))
        elif action == "value" and ":" in line:
            mutated.append(line.split(":", 1)[0] + ": " + data.draw(any_text.map(lambda s: s[:40])))
    check(message("\n".join(mutated), body_type=body_type))


def _docx_bytes() -> bytes:
    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for line in PLAIN.splitlines():
        if ":" in line:
            label, value = line.split(":", 1)
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value.strip()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX = _docx_bytes()


def test_generated_word_form_is_read_in_full() -> None:
    attachment = Attachment("form.docx", DOCX_CONTENT_TYPE, DOCX)
    assert isinstance(parse_message(message("", attachments=(attachment,))), Parsed)


@fuzz(400)
@given(content=st.binary(max_size=5000), name=st.sampled_from(["form.docx", "FORM.DOCX", "x"]))
def test_parser_never_raises_on_random_bytes_named_docx(content: bytes, name: str) -> None:
    check(message("See attached.", attachments=(Attachment(name, DOCX_CONTENT_TYPE, content),)))


@fuzz(300)
@given(position=st.integers(0, len(DOCX) - 1), junk=st.binary(min_size=1, max_size=64))
def test_parser_never_raises_on_damaged_word_forms(position: int, junk: bytes) -> None:
    damaged = DOCX[:position] + junk + DOCX[position + len(junk) :]
    check(message("", attachments=(Attachment("form.docx", DOCX_CONTENT_TYPE, damaged),)))


@fuzz(300)
@given(raw=st.binary(max_size=3000), codec=st.sampled_from(["latin-1", "cp1252", "utf-16"]))
def test_parser_never_raises_on_bodies_decoded_with_the_wrong_codec(raw: bytes, codec: str) -> None:
    body = (PLAIN.encode("utf-8") + raw).decode(codec, errors="replace")
    check(message(body))
    check(message(PLAIN.encode("utf-8").decode(codec, errors="replace"), body_type="html"))


def test_word_form_with_a_bad_xml_inside_goes_to_triage() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    attachment = Attachment("form.docx", DOCX_CONTENT_TYPE, out.getvalue())
    outcome = parse_message(message("", attachments=(attachment,)))
    assert isinstance(outcome, Triage)
    assert any("'form.docx' could not be read" in r for r in outcome.reasons)


def test_zip_bomb_named_docx_is_refused_without_inflating_it() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (90 * 1024 * 1024))
    attachment = Attachment("form.docx", DOCX_CONTENT_TYPE, out.getvalue())
    outcome = parse_message(message("", attachments=(attachment,)))
    assert isinstance(outcome, Triage)
    assert any("larger than a request form" in r or "far more" in r for r in outcome.reasons)


def _timed(msg: InboundMessage) -> float:
    started = time.perf_counter()
    check(msg)
    return time.perf_counter() - started


def test_two_megabyte_text_body_is_handled_quickly() -> None:
    body = (PLAIN + "\n") * (2_000_000 // len(PLAIN))
    assert _timed(message(body)) < 10


def test_two_megabyte_junk_body_goes_to_triage() -> None:
    body = ("lorem ipsum dolor sit amet; " * 80 + "\n") * 900
    assert len(body) > 2_000_000
    outcome = parse_message(message(body))
    assert isinstance(outcome, Triage)


def test_two_megabyte_html_with_deep_nesting_is_handled() -> None:
    html = (
        "<div><table><tr><td>" * 20_000 + "Conference type: ICPC" + "</td></tr></table></div>" * 2
    )
    html += "<p>" + "x " * 800_000 + "</p>"
    assert len(html) > 2_000_000
    assert _timed(message(html, body_type="html")) < 15


def test_body_with_a_hundred_thousand_label_lines_is_handled() -> None:
    body = "Child 1 initials: AB\n" * 100_000
    check(message(body))


@pytest.mark.parametrize(
    "label",
    ["Parent 1 phone", "Social worker email", "Strategy discussion date", "Preferred start"],
)
@pytest.mark.parametrize("filler", ["a" * 200_000, "a." * 100_000, "1/" * 100_000, "x@" * 100_000])
def test_very_long_value_goes_to_triage_quickly(label: str, filler: str) -> None:
    body = PLAIN.replace(label + ":", f"{label}: {filler} ", 1)
    started = time.perf_counter()
    outcome = parse_message(message(body))
    assert time.perf_counter() - started < 2
    assert isinstance(outcome, Triage)
    assert any("is too long for this field" in r for r in outcome.reasons)


@pytest.mark.parametrize(
    "unit", ['<a href="', "<!--", "<![CDATA[", "<a ", "</", "<" + "a" * 100, "<?", "<script>"]
)
def test_unterminated_html_constructs_are_read_in_linear_time(unit: str) -> None:
    # html.parser alone rescans to the end for each of these: minutes for 300 KB.
    html = unit * (300_000 // len(unit))
    started = time.perf_counter()
    check(message(html, body_type="html"))
    assert time.perf_counter() - started < 3
