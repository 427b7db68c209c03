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


PARALLEL = """<html><body><p>Request below, thanks.</p><table border="1">
<tr><td><b>Name of child(ren)</b></td><td>E.P. and G.P.</td></tr>
<tr><td><b>D.O.B</b></td><td>G.P. 30.09.2019<br>E.P. 14.02.2016</td></tr>
<tr><td><b>LCS No.</b></td><td>E.P. 701122 / G.P. 701123</td></tr>
<tr><td><b>Type of conference</b></td><td>RCPC</td></tr>
<tr><td><b>Parents/Carers names &amp; contact details</b></td><td>Mrs Delyth Pask (mum) \u2013
07700&nbsp;900811 \u2013 delyth.pask@example.com<br>Mr Iwan Pask (dad) \u2013 07700 900812</td></tr>
<tr><td><b>Professionals to invite</b></td><td>School \u2013 Ysgol y Castell \u2013
office@castell.example.sch.uk<br>Police \u2013 PC Emyr Oakes 1234 \u2013
emyr.oakes@police.example.net</td></tr>
<tr><td><b>Social Worker</b></td><td>Gwen Hulme, 07700 900813</td></tr>
</table></body></html>"""


def parallel_request() -> object:
    msg = dataclasses.replace(
        message(PARALLEL, sender_name="Gwen Hulme", sender="gwen.hulme@council.example.org"),
        body_type="html",
    )
    outcome = parse_message(msg)
    assert isinstance(outcome, Parsed), outcome
    return outcome.request


def test_each_childs_value_in_a_shared_cell_goes_to_the_child_its_initials_name() -> None:
    request = parallel_request()
    children = {
        c.initials: (c.date_of_birth, [r.reference for r in c.case_references])
        for c in request.children  # type: ignore[attr-defined]
    }
    assert children == {
        "E.P.": (date(2016, 2, 14), ["701122"]),
        "G.P.": (date(2019, 9, 30), ["701123"]),
    }


def test_a_parents_names_and_contact_details_row_is_one_person_a_line() -> None:
    parents = {p.name: (p.relationship, p.emails, p.phones) for p in parallel_request().parents}  # type: ignore[attr-defined]
    assert parents == {
        "Delyth Pask": ("mother", ("delyth.pask@example.com",), ("+447700900811",)),
        "Iwan Pask": ("father", (), ("+447700900812",)),
    }


def test_a_place_with_a_small_word_in_its_name_and_an_officers_collar_number_are_read() -> None:
    agencies = {(a.name, a.organisation): a.emails for a in parallel_request().agencies}  # type: ignore[attr-defined]
    assert agencies == {
        ("", "Ysgol y Castell"): ("office@castell.example.sch.uk",),
        ("Emyr Oakes", "Police"): ("emyr.oakes@police.example.net",),
    }


def test_a_grids_email_or_phone_column_gives_each_what_it_holds() -> None:
    html = (
        "<html><body><p>ICPC please, strategy discussion 26/11/2026.</p>"
        "<p>Child: T.W. (DOB 03/03/2020), LCS 702201</p><table border='1'>"
        "<tr><th>Name</th><th>Role</th><th>Email / phone</th></tr>"
        "<tr><td>Ceri Vaughan</td><td>Mother</td><td>ceri.v@example.org</td></tr>"
        "<tr><td>Dylan Tomos</td><td>Probation</td><td>07700 900824</td></tr>"
        "</table><p>Regards<br>Llinos Jarvis<br>Social Worker</p></body></html>"
    )
    msg = dataclasses.replace(
        message(html, sender_name="Llinos Jarvis", sender="llinos.jarvis@council.example.org"),
        body_type="html",
        received_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
    )
    outcome = parse_message(msg)
    assert isinstance(outcome, Parsed), outcome
    people = {p.name: (p.emails, p.phones) for p in outcome.request.people}
    assert people["Ceri Vaughan"] == (("ceri.v@example.org",), ())
    assert people["Dylan Tomos"] == ((), ("+447700900824",))


def test_a_printed_rows_dotted_label_starts_its_own_field() -> None:
    body = (
        "Section B - child\nInitials: T.R.     D.O.B: 30.10.2013     LCS: 812260     Gender:"
        " Female\nConference type: ICPC\nStrategy discussion: 20/11/2026\n"
        "Mum: Kelly Dawes - 07700 900611\nSocial worker: Rowan Feld\n"
    )
    outcome = parse_message(message(body))
    assert isinstance(outcome, Parsed), outcome
    (child,) = outcome.request.children
    assert (child.initials, child.date_of_birth) == ("T.R.", date(2013, 10, 30))


def test_a_childs_initials_and_date_of_birth_under_one_label_are_both_read() -> None:
    body = (
        "Conference type: ICPC\nStrategy discussion date: 18/11/2026\n"
        "Child initials / DOB: J.W. / 02-03-2018\nLCS: 636612\n"
        "Mother: Kelly Dawes, 07700 900611\nSocial worker: Rowan Feld\n"
    )
    outcome = parse_message(message(body))
    assert isinstance(outcome, Parsed), outcome
    (child,) = outcome.request.children
    assert (child.initials, child.date_of_birth) == ("J.W.", date(2018, 3, 2))


def test_a_child_or_young_person_label_names_the_child() -> None:
    html = (
        "<html><body><table border='1'><tr><td>Meeting requested</td><td>RCPC</td></tr>"
        "<tr><td>Child / young person (initials)</td><td>R.A.</td></tr>"
        "<tr><td>D.O.B</td><td>09/09/2010</td></tr><tr><td>Mosaic ID</td><td>MOS615502</td></tr>"
        "<tr><td>Mum</td><td>Kelly Dawes - 07700 900611</td></tr>"
        "<tr><td>Social worker</td><td>Rowan Feld</td></tr></table></body></html>"
    )
    outcome = parse_message(dataclasses.replace(message(html), body_type="html"))
    assert isinstance(outcome, Parsed), outcome
    (child,) = outcome.request.children
    assert (child.initials, child.date_of_birth) == ("R.A.", date(2010, 9, 9))
    assert not [p for p in outcome.request.people if p.role.value == "young_person"]
