"""Word (.docx) request forms to lines and tables, including text in content controls."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
from docx.oxml.ns import qn

from bot.intake.blocks import Block, Table, clean_line, clean_text

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A request form is a few pages; anything bigger is not a form, and a zip bomb would
# otherwise be inflated in memory by python-docx.
MAX_DOCX_BYTES = 10 * 1024 * 1024
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_INFLATED_BYTES = 4 * MAX_XML_BYTES
MAX_MEMBERS = 2_000
_CHUNK = 1 << 16

_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_SDT_CONTENT = qn("w:sdtContent")
_DEL_TEXT = qn("w:delText")
# Checked boxes in Word's checkbox content controls carry this, not a glyph we could read.
_W14_CHECKED = "{http://schemas.microsoft.com/office/word/2010/wordml}checked"
_W14_VAL = "{http://schemas.microsoft.com/office/word/2010/wordml}val"


class UnreadableDocx(Exception):
    """The attachment is not a Word form confbot can read; the message says why."""


def is_docx(name: str, content_type: str) -> bool:
    """Whether an attachment claims to be a .docx file."""
    return name.lower().endswith(".docx") or content_type.lower() == DOCX_CONTENT_TYPE


def _check_archive(content: bytes) -> None:
    """Refuse a zip bomb before python-docx inflates it: declared sizes, then actual ones.

    The central directory's sizes can lie, so every member is also inflated here, in
    chunks, and counted; reading stops at the first byte past the limit.
    """
    if len(content) > MAX_DOCX_BYTES:
        raise UnreadableDocx(
            f"it is larger than a request form can be ({MAX_DOCX_BYTES // 2**20} MB)"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise UnreadableDocx("it holds far more parts than a Word form does")
            if sum(info.file_size for info in infos) > MAX_INFLATED_BYTES:
                raise UnreadableDocx("it unpacks to far more than a request form")
            names = {info.filename: info for info in infos}
            main = names.get("word/document.xml")
            if main is None:
                raise UnreadableDocx("it is not a Word .docx file (no document inside)")
            if main.file_size > MAX_XML_BYTES:
                raise UnreadableDocx("its text is larger than a request form can be")
            _inflate_within_limits(archive, infos)
    except UnreadableDocx:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as err:
        raise UnreadableDocx("it is not a Word .docx file (it may be damaged)") from err
    except (NotImplementedError, RuntimeError) as err:  # an unknown compression, encryption
        raise UnreadableDocx("it is compressed or protected in a way Word forms are not") from err


def _inflate_within_limits(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        # Images and fonts are not read later; only their declared size counts for them.
        if not info.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(info) as member:
            taken = 0
            while chunk := member.read(_CHUNK):
                taken += len(chunk)
                total += len(chunk)
                if taken > MAX_XML_BYTES or total > MAX_INFLATED_BYTES:
                    raise UnreadableDocx("it unpacks to far more than a request form")


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter():
        tag = el.tag
        if tag == _T:
            parts.append(el.text or "")
        elif tag in (_TAB,):
            parts.append("  ")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _W14_CHECKED:
            # A ticked checkbox control: show it the way a typed form would.
            parts.append("☒ " if el.get(_W14_VAL) in ("1", "true") else "☐ ")
    return "".join(parts)


def _cell_text(tc: Any) -> str:
    lines: list[str] = []
    for p in tc.iter(_P):
        lines.extend(_paragraph_text(p).split("\n"))
    return "\n".join(s for s in (line.strip() for line in lines) if s)


def _table(tbl: Any) -> Table:
    rows: list[tuple[str, ...]] = []
    for tr in tbl.iter(_TR):
        # Merged cells repeat in python-docx's view; the raw XML lists each cell once.
        cells = tuple(_cell_text(tc) for tc in tr if tc.tag in (_TC, _SDT))
        if any(cells):
            rows.append(cells)
    return Table(tuple(rows))


def _walk(parent: Any, blocks: list[Block]) -> None:
    for el in parent:
        if el.tag == _P:
            for raw in clean_text(_paragraph_text(el)).split("\n"):
                line = clean_line(raw)
                if line:
                    blocks.append(line)
        elif el.tag == _TBL:
            if any(True for _ in el.iter(_TBL) if _ is not el):
                _walk_layout_table(el, blocks)  # nested tables: the outer one is layout
            else:
                blocks.append(_table(el))
        elif el.tag == _SDT:
            content = el.find(_SDT_CONTENT)
            if content is not None:
                _walk(content, blocks)


def _walk_layout_table(tbl: Any, blocks: list[Block]) -> None:
    for tr in tbl:
        if tr.tag != _TR:
            continue
        for tc in tr:
            if tc.tag == _TC:
                _walk(tc, blocks)


def docx_blocks(content: bytes) -> list[Block]:
    """The lines and tables of a .docx form's body, in reading order."""
    _check_archive(content)
    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as err:  # python-docx raises many kinds on damaged files
        raise UnreadableDocx("Word could not open it (it may be damaged or protected)") from err
    blocks: list[Block] = []
    _walk(document.element.body, blocks)
    return blocks
