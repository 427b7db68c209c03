"""The minutes rendered: a Word file with real headings and header rows, and escaped HTML."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from io import BytesIO

import docx
import pytest
from docx.oxml.ns import qn

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.minutes.assembly import (
    AgencyContribution,
    Minutes,
    MinutesParticipant,
    Paragraph,
    PlanView,
    Table,
    assemble_minutes,
)
from bot.runtime.aftercare.word import minutes_docx
from bot.runtime.minutes_html import minutes_html
from tests.unit.test_minutes_support import PLAYBOOKS, E, records

CASES = [
    pytest.param(name, kind, fmt, id=f"{name}-{kind}-{fmt}")
    for name, playbook in sorted(PLAYBOOKS.items())
    for kind in playbook.conferences
    for fmt in playbook.rules(kind).formats.offered
]


def minutes_for(name: str, kind: ConferenceType, fmt: MeetingFormat) -> Minutes:
    return assemble_minutes(PLAYBOOKS[name], records(PLAYBOOKS[name], kind, fmt))


def all_tables(minutes: Minutes) -> list[Table]:
    found = [minutes.header]
    for section in minutes.sections:
        found += [b for b in section.blocks if isinstance(b, Table)]
    return found


# -- Word -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_word_minutes_use_real_heading_styles_in_order(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    minutes = minutes_for(name, kind, fmt)
    document = docx.Document(BytesIO(minutes_docx(minutes)))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", minutes.title),
        *(("Heading 2", s.heading) for s in minutes.sections),
    ]
    body = [p.text for p in document.paragraphs]
    assert minutes.statement in body
    assert "COVID-19" in minutes.statement


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_every_word_table_has_a_marked_header_row(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    minutes = minutes_for(name, kind, fmt)
    document = docx.Document(BytesIO(minutes_docx(minutes)))
    expected = all_tables(minutes)
    assert len(document.tables) == len(expected)
    for grid, table in zip(document.tables, expected, strict=True):
        first = grid.rows[0]._tr
        flag = first.trPr.find(qn("w:tblHeader")) if first.trPr is not None else None
        assert flag is not None, table.caption
        assert flag.get(qn("w:val")) in (None, "true", "1")
        assert tuple(c.text for c in grid.rows[0].cells) == table.header
        assert [tuple(c.text for c in r.cells) for r in grid.rows[1:]] == list(table.rows)
        # Only the header row repeats: a body row marked as a header would confuse readers.
        for body_row in grid.rows[1:]:
            tr_pr = body_row._tr.trPr
            assert tr_pr is None or tr_pr.find(qn("w:tblHeader")) is None
        assert grid._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == table.caption


def test_word_minutes_have_a_title_and_british_english() -> None:
    minutes = minutes_for("leeds", ConferenceType.RCPC, MeetingFormat.PHONE_SERIES)
    document = docx.Document(BytesIO(minutes_docx(minutes)))
    assert document.core_properties.title == "Review child protection conference: minutes"
    assert document.core_properties.language == "en-GB"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "en-GB"


def test_word_minutes_carry_attendance_and_consent() -> None:
    minutes = minutes_for("lancashire", ConferenceType.ICPC, MeetingFormat.TEAMS)
    document = docx.Document(BytesIO(minutes_docx(minutes)))
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert {"Attended", "Apologies", "Did not attend", "Agreed"} <= cells


# -- HTML -----------------------------------------------------------------------------------


class Outline(HTMLParser):
    """Headings, header-cell scopes and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.scopes: list[str | None] = []
        self.tags: list[str] = []
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("h2", "h3"):
            self._heading, self._text = tag, []
        if tag == "th":
            self.scopes.append(dict(attrs).get("scope"))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, "".join(self._text)))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_html_minutes_have_headings_and_scoped_header_cells(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    minutes = minutes_for(name, kind, fmt)
    outline = Outline()
    outline.feed(minutes_html(minutes))
    assert outline.headings[0] == ("h2", minutes.title)
    sections = [h for h in outline.headings if h[0] == "h3"]
    assert [text for _, text in sections][-len(minutes.sections) :] == [
        s.heading for s in minutes.sections
    ]
    assert outline.scopes
    assert set(outline.scopes) <= {"col", "row"}
    tables = all_tables(minutes)
    assert outline.scopes.count("col") == sum(len(t.header) for t in tables)
    assert outline.tags.count("thead") == len(tables)
    assert outline.tags.count("caption") == len(tables)
    assert "h1" not in outline.tags  # a fragment under the status page's own h1


def test_html_minutes_escape_everything_people_wrote() -> None:
    nasty = "<script>alert(\"x\")</script> & <b onmouseover='y'>"
    playbook = PLAYBOOKS["leeds"]
    data = records(playbook)
    person = MinutesParticipant(
        "agency-x", Role.AGENCY, f"Evander {nasty}", f"Org {nasty}",
        frozenset({E.JOINED_MEETING}),
    )  # fmt: skip
    data = replace(
        data,
        reference=f"CP {nasty}",
        chair=f"Chair {nasty}",
        participants=(*data.participants, person),
        contributions=(
            AgencyContribution("agency-x", summary=nasty, view=PlanView.PLAN, rationale=nasty),
        ),
    )
    html = minutes_html(assemble_minutes(playbook, data))
    assert "<script" not in html
    assert "<b " not in html
    assert "onmouseover='" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in html
    # Every tag left is one the template wrote.
    assert set(re.findall(r"<([a-z0-9]+)", html)) <= {
        "article", "h2", "h3", "div", "ul", "li", "table", "caption", "thead", "tbody",
        "tr", "th", "td", "section", "p",
    }  # fmt: skip


def test_html_lists_what_the_minute_taker_must_still_complete() -> None:
    playbook = PLAYBOOKS["northmoor"]
    minutes = assemble_minutes(playbook, records(playbook, parents=()))
    html = minutes_html(minutes)
    assert "Still to complete before approval" in html
    assert minutes.missing
    # The list is for the draft on the status page only, never a section of the minutes.
    assert all(
        not isinstance(b, Paragraph) or "Still to" not in b.text
        for s in minutes.sections
        for b in s.blocks
    )
