"""PDF request forms to lines and tables: filled-in form fields first, then the page text.

Refused with a reason naming what is wrong (password-protected, damaged, too big) rather
than guessed at; nothing here fetches anything or runs the PDF's scripts.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pypdf import Configuration, PdfReader, apply_configuration
from pypdf.errors import DependencyError, PdfReadError, PyPdfError

from bot.intake.blocks import Block, Table, clean_text, text_blocks

PDF_CONTENT_TYPE = "application/pdf"
# A request form is a few pages; anything bigger is not one, and would stall the sweep.
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 50
MAX_TEXT_CHARS = 400_000
# pypdf's own limits are set for any PDF (75 MB per stream); a form's page needs far less,
# and these bound the work a hostile file can ask for.
_LIMITS = Configuration().with_overwrites(
    maximum_declared_stream_length=8 * 2**20,
    zlib_maximum_output_length=8 * 2**20,
    lzw_maximum_output_length=8 * 2**20,
    run_length_maximum_output_length=8 * 2**20,
    array_based_stream_maximum_output_length=8 * 2**20,
    stream_decoding_work_maximum_length=32 * 2**20,
    stream_parsing_work_maximum_count=400_000,
    array_maximum_element_count=20_000,
    dictionary_maximum_element_count=20_000,
    form_fields_maximum_entries=2_000,
    form_fields_maximum_depth=20,
    page_tree_maximum_entries=2_000,
    page_tree_maximum_depth=20,
    xform_maximum_invocations_per_extraction=200,
    jbig2dec_binary=None,  # never run an outside program on an attachment
)

logger = logging.getLogger(__name__)
# pypdf logs every oddity of a damaged file at WARNING; the reason we give is enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class UnreadablePdf(Exception):
    """The attachment is not a PDF form confbot can read; the message says why."""


def is_pdf(name: str, content_type: str) -> bool:
    """Whether an attachment claims to be a PDF."""
    return name.lower().endswith(".pdf") or content_type.lower() == PDF_CONTENT_TYPE


def _reader(content: bytes) -> PdfReader:
    if len(content) > MAX_PDF_BYTES:
        raise UnreadablePdf(
            f"it is larger than a request form can be ({MAX_PDF_BYTES // 2**20} MB)"
        )
    if not content.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadablePdf("it is not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("it is password-protected; ask the sender for an open copy")
        pages = len(reader.pages)
    except UnreadablePdf:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as err:
        logger.info("PDF refused as damaged: %s", type(err).__name__)
        raise UnreadablePdf(
            "it is damaged or incomplete; ask the sender to attach it again"
        ) from None
    except (NotImplementedError, DependencyError):
        raise UnreadablePdf("it is encrypted in a way confbot cannot open") from None
    if pages > MAX_PDF_PAGES:
        raise UnreadablePdf(f"it has {pages} pages; a request form has at most {MAX_PDF_PAGES}")
    return reader


@contextmanager
def _limited() -> Iterator[None]:
    with apply_configuration(_LIMITS):
        yield


def _never() -> bool:
    return False


def pdf_blocks(content: bytes, out_of_time: Callable[[], bool] = _never) -> tuple[list[Block], int]:
    """The form's filled fields (as a label/value table) and its text lines; and its pages.

    ``out_of_time`` is asked between pages; once it says yes the PDF is refused.
    """
    with _limited():
        return _pdf_blocks(content, out_of_time)


def _pdf_blocks(content: bytes, out_of_time: Callable[[], bool]) -> tuple[list[Block], int]:
    reader = _reader(content)
    blocks: list[Block] = []
    try:
        fields = reader.get_fields() or {}
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError):
        fields = {}
    rows = []
    for name, field in fields.items():
        label = str(field.get("/TU") or name)
        value = field.get("/V")
        text = "" if value is None else str(value)
        if text.startswith("/"):
            text = text[1:]  # a ticked box's export value ("/Yes")
        if text.strip() and text not in ("Off",):
            rows.append((clean_text(label).strip(), clean_text(text).strip()))
    if rows:
        blocks.append(Table(tuple(rows)))
    taken = 0
    for page in reader.pages:
        if out_of_time():
            raise UnreadablePdf("it took too long to read; it is not laid out like a form")
        try:
            text = page.extract_text() or ""
        except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError):
            raise UnreadablePdf("a page of it is damaged") from None
        taken += len(text)
        if taken > MAX_TEXT_CHARS:
            raise UnreadablePdf("it holds far more text than a request form")
        blocks.extend(text_blocks(text))
    return blocks, len(reader.pages)
