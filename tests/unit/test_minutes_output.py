"""The minutes rendered as Word: real headings, marked header rows, and people's words as text."""

from __future__ import annotations

import zipfile
from dataclasses import replace
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


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_only_the_row_header_cell_of_each_word_row_is_bold(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    minutes = minutes_for(name, kind, fmt)
    document = docx.Document(BytesIO(minutes_docx(minutes)))
    for grid, table in zip(document.tables, all_tables(minutes), strict=True):
        for row in grid.rows[1:]:
            bold = [any(run.bold for run in c.paragraphs[0].runs) for c in row.cells]
            assert bold == [table.row_headers and i == 0 for i in range(len(bold))], table.caption


def word_text(minutes: Minutes) -> str:
    document = docx.Document(BytesIO(minutes_docx(minutes)))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(texts)


def test_word_minutes_keep_everything_people_wrote_as_plain_text() -> None:
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
    minutes = assemble_minutes(playbook, data)
    text = word_text(minutes)
    # The words come back exactly as written: text, never markup.
    assert f"Chair {nasty}" in text
    assert f"Evander {nasty}" in text
    with zipfile.ZipFile(BytesIO(minutes_docx(minutes))) as archive:
        body = archive.read("word/document.xml").decode()
    assert "<script" not in body
    assert "<b " not in body
    assert "&lt;script&gt;" in body


def test_the_minute_takers_to_do_list_is_never_part_of_the_word_minutes() -> None:
    playbook = PLAYBOOKS["northmoor"]
    minutes = assemble_minutes(playbook, records(playbook, parents=()))
    assert minutes.missing
    # The list is for the minute taker before approval, never a section of the minutes.
    assert all(
        not isinstance(b, Paragraph) or "Still to" not in b.text
        for s in minutes.sections
        for b in s.blocks
    )
    text = word_text(minutes)
    assert "Still to complete" not in text
    assert not [item for item in minutes.missing if item in text]
