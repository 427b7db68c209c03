"""The minutes as a Word document: plain and accessible, built with python-docx.

Real heading styles, so a screen reader can move between sections; every table has a
header row marked to repeat on each page (``w:tblHeader``), a caption and alt text;
meaning is carried by words, never by colour.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.table import Table as DocxTable

from bot.core.minutes.model import Minutes, Paragraph, Table

LANGUAGE = "en-GB"


def minutes_docx(minutes: Minutes) -> bytes:
    """The minutes as the bytes of a .docx file."""
    document = Document()
    _set_language(document)
    document.core_properties.title = minutes.title
    document.core_properties.language = LANGUAGE
    document.core_properties.subject = "Child protection conference minutes"
    document.add_heading(minutes.title, level=1)
    _add_table(document, minutes.header)
    for section in minutes.sections:
        document.add_heading(section.heading, level=2)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                document.add_paragraph(block.text)
            else:
                _add_table(document, block)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _add_table(document: DocumentObject, table: Table) -> None:
    # A caption above the table names it for every reader, not only for screen readers.
    document.add_paragraph(table.caption, style="Caption")
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    _describe(grid, table.caption)
    header = grid.rows[0]
    _repeat_as_header(header._tr)
    for cell, text in zip(header.cells, table.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row, values in zip(grid.rows[1:], table.rows, strict=True):
        for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.bold = table.row_headers and index == 0


def _repeat_as_header(tr: CT_Row) -> None:
    # w:tblHeader marks the row as the table's header: Word repeats it on each page and
    # assistive technology reads it as column headings.
    tr_pr = tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _describe(grid: DocxTable, caption: str) -> None:
    # Word's alt text for a table (w:tblCaption), which comes last in w:tblPr.
    tbl_pr = grid._tbl.tblPr
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), caption)
    tbl_pr.append(element)


def _set_language(document: DocumentObject) -> None:
    # British English for the spell checker and screen readers' pronunciation: the default
    # template says en-US in its document defaults, which every style inherits.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = (
        None
        if defaults is None
        else defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    )
    if lang is None:
        r_pr = document.styles["Normal"].element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
