"""Printed forms whose rows lose their colons: a PDF's table comes out as "Label value"."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from fpdf import FPDF

from bot.core.mailbox import Attachment
from bot.intake.child_line import read_references
from bot.intake.outcome import Parsed
from bot.intake.parser import parse_message
from tests.unit.test_reader_free_form import message

ROWS = [
    ("Type of conference", "Initial Child Protection Conference"),
    ("Date of strategy discussion", "24.11.2026"),
    ("Child's initials", "K.M."),
    ("Date of birth", "05.09.2017"),
    ("Gender", "Female"),
    ("Mosaic number", "MOS 774201"),
    ("Mother's name", "Rhian Maddock"),
    ("Mother's telephone", "07700 900801"),
    ("Mother's email", "rhian.m@example.org"),
    ("Father's name", "Cai Maddock"),
    ("Father's telephone", "07700 900802"),
    ("Social worker", "Bethan Pryce"),
    ("Social worker telephone", "01632 960803"),
    ("School / nursery", "Ysgol Glan Llyn - DSL Mrs Ann Ellis - a.ellis@glanllyn.example.sch.uk"),
    ("Preferred format", "Teams"),
]


def printed_table_pdf(rows: list[tuple[str, str]]) -> bytes:
    """A form printed as a bordered two-column table, as councils' PDFs are."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 8, "REQUEST FOR A CHILD PROTECTION CONFERENCE", new_x="LMARGIN", new_y="NEXT")
    for label, value in rows:
        pdf.cell(70, 7, label, border=1)
        pdf.cell(0, 7, value, border=1, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_a_printed_form_table_without_colons_books_with_every_row_read() -> None:
    form = Attachment("ICPC request form.pdf", "application/pdf", printed_table_pdf(ROWS))
    msg = dataclasses.replace(
        message(
            "Hi, please see the attached request form. Thanks, Bethan",
            sender_name="Bethan Pryce",
            sender="bethan.pryce@council.example.org",
        ),
        attachments=(form,),
        received_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
    )
    outcome = parse_message(msg)
    assert isinstance(outcome, Parsed), outcome
    request = outcome.request
    (child,) = request.children
    assert (child.initials, child.date_of_birth, child.gender) == (
        "K.M.",
        date(2017, 9, 5),
        "female",
    )
    assert [r.reference for r in child.case_references] == ["MOS774201"]
    people = {p.name: (p.organisation, p.emails, p.phones) for p in request.people}
    assert people["Rhian Maddock"] == ("", ("rhian.m@example.org",), ("+447700900801",))
    assert people["Cai Maddock"] == ("", (), ("+447700900802",))
    assert people["Ann Ellis"] == ("Ysgol Glan Llyn", ("a.ellis@glanllyn.example.sch.uk",), ())
    assert request.social_worker.name == "Bethan Pryce"
    assert request.social_worker.phones == ("+441632960803",)


def test_a_heading_that_starts_with_a_label_word_is_not_that_field() -> None:
    rows = [("1. Conference details", ""), *ROWS[:6]]
    msg = message(
        "\n".join(f"{k} {v}".strip() for k, v in rows) + "\nMum: Rhian Maddock 07700 900801"
    )
    outcome = parse_message(msg)
    assert isinstance(outcome, Parsed), outcome
    assert outcome.request.conference_type.value == "ICPC"


def test_a_systems_prefix_and_its_digits_are_one_reference() -> None:
    assert read_references("MOS 774201") == (("Mosaic", "MOS774201"),)
