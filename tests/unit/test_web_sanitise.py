"""A request email's HTML is shown with an allow-list: nothing in it can run or load."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.web.sanitise import clean_html, plain_text


def test_allowed_formatting_is_kept_without_attributes() -> None:
    html = '<p class="x" style="color:red">A <strong>bold</strong> <em>ask</em></p>'
    html += "<ul><li>one</li></ul>"
    assert clean_html(html) == "<p>A <strong>bold</strong> <em>ask</em></p><ul><li>one</li></ul>"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<svg><script>alert(1)</script></svg>",
        "<style>@import url(https://evil.example/a.css)</style>",
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(https://tracker.example/p.gif)">x</div>',
        '<form action="https://evil.example"><input name=a></form>',
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_script_handlers_remote_content_and_forms_are_removed(hostile: str) -> None:
    cleaned = clean_html(hostile)
    for bad in ("<script", "onerror", "javascript:", "<iframe", "<style", "url(", "<form", "<img"):
        assert bad not in cleaned


def test_remote_image_is_named_not_loaded() -> None:
    assert clean_html('<img src="https://tracker.example/p.gif" alt="Logo">') == (
        "[image not shown: Logo]"
    )


def test_web_link_is_shown_as_text_not_as_a_link() -> None:
    cleaned = clean_html('<a href="https://council.example/form">the form</a>')
    assert "<a" not in cleaned and "the form (https://council.example/form)" in cleaned


def test_unclosed_tags_are_closed_and_stray_closers_ignored() -> None:
    assert clean_html("<p><b>open</p></td>") == "<p><b>open</b></p>"


def test_plain_text_keeps_line_breaks_and_escapes() -> None:
    assert plain_text("a < b\nc") == "a &lt; b<br>\nc"


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' ascriptimgonerrx&;:")), max_size=80))
def test_no_input_yields_a_tag_outside_the_allow_list(text: str) -> None:
    cleaned = clean_html(text)
    assert "<script" not in cleaned.lower() and "<img" not in cleaned.lower()
    assert "=" not in "".join(part.split(">")[0] for part in cleaned.split("<")[1:])
