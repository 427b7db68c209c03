"""Attachments to blocks: Word forms, PDF forms and attached Outlook emails, one entry point.

``read_attachment`` never raises. It gives the attachment's text (``AttachmentText``), a
reason a person can act on that names the file (``Unreadable``), or ``None`` for files
that are not forms (pictures, signatures, calendar invites). Every kind has limits on its
size and the work it may ask for, so one hostile file cannot stall the sweep.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.core.mailbox import Attachment
from bot.intake.blocks import Block, clean_text
from bot.intake.docx_form import UnreadableDocx, docx_blocks, is_docx
from bot.intake.outlook_msg import MessageParts, Skipped, UnreadableMsg, is_msg, read_msg
from bot.intake.pdf_form import UnreadablePdf, is_pdf, pdf_blocks

__all__ = [
    "MAX_DEPTH",
    "AttachmentText",
    "Unreadable",
    "read_attachment",
    "read_attachments",
]

logger = logging.getLogger(__name__)

# An attachment inside an email attached inside an email...: three levels is plenty for a
# forwarded request; deeper is a loop or an attack.
MAX_DEPTH = 3
# A backstop for work the limits did not foresee; it is checked between pages and parts.
MAX_SECONDS = 2.0
# Forms confbot cannot read, named so a person knows to open them; anything else that is
# not a form (pictures, signatures, .ics) is passed over in silence.
_UNREAD_FORMS = (".doc", ".odt", ".rtf", ".docm", ".dotx", ".dot", ".pages", ".xps")
_TOO_DEEP = f"it is inside more than {MAX_DEPTH} attached emails; please send the form on its own"
_SKIPPED = {
    "damaged": "could not be read: it is damaged",
    "link": "was not read: it is a link to a shared file; please attach the form itself",
    "deep": "could not be read: " + _TOO_DEEP,
}
_KINDS = {"docx": "Word", "pdf": "PDF", "msg": "Outlook"}


@dataclass(frozen=True, slots=True)
class AttachmentText:
    """What an attachment says, read into blocks.

    For an attached Outlook email ``sender`` and ``sender_name`` are its From, ``subject``
    its subject, and ``attachments`` what its own attachments gave, read the same way.
    ``within`` names the emails it was found inside, outermost first.
    """

    name: str
    blocks: list[Block]
    sender: str = ""
    sender_name: str = ""
    pages: int = 1
    subject: str = ""
    within: tuple[str, ...] = ()
    attachments: tuple[AttachmentText | Unreadable, ...] = ()

    @property
    def source(self) -> str:
        """Where a value came from, as a person reads it: "attachment 'form.docx'"."""
        return f"attachment {_where(self.name, self.within)}"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An attachment that looked like a form but was not read; ``reason`` names the file."""

    reason: str
    name: str = ""


class _Clock:
    """Says when an attachment (and all inside it) has had its share of time."""

    def __init__(self, seconds: float, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._until = now() + seconds

    def out_of_time(self) -> bool:
        return self._now() > self._until


def read_attachment(
    att: Attachment, depth: int = 0, within: tuple[str, ...] = ()
) -> AttachmentText | Unreadable | None:
    """Read one attachment; ``depth`` counts the emails it is inside (0: the request's own)."""
    return _read(att, depth, within, _Clock(MAX_SECONDS))


def read_attachments(attachments: tuple[Attachment, ...]) -> list[AttachmentText | Unreadable]:
    """Every attachment read, with those inside attached emails after their email, in order."""
    results: list[AttachmentText | Unreadable] = []
    for att in attachments:
        result = read_attachment(att)
        if result is not None:
            results.extend(_flatten(result))
    return results


def _flatten(result: AttachmentText | Unreadable) -> Iterator[AttachmentText | Unreadable]:
    yield result
    if isinstance(result, AttachmentText):
        for inner in result.attachments:
            yield from _flatten(inner)


def _read(
    att: Attachment, depth: int, within: tuple[str, ...], clock: _Clock
) -> AttachmentText | Unreadable | None:
    name = short_name(att.name)
    kind = _kind(att)
    if kind is None:
        if att.name.lower().endswith(_UNREAD_FORMS):
            return Unreadable(
                f"the attachment {_where(name, within)} was not read: confbot reads request "
                "forms from the email body, a Word .docx file, a PDF or an attached Outlook email",
                name,
            )
        return None
    label = f"the {_KINDS[kind]} attachment {_where(name, within)}"
    if depth > MAX_DEPTH:
        return Unreadable(f"{label} could not be read: {_TOO_DEEP}", name)
    try:
        if kind == "docx":
            return AttachmentText(name, docx_blocks(att.content), within=within)
        if kind == "pdf":
            blocks, pages = pdf_blocks(att.content, clock.out_of_time)
            return AttachmentText(name, blocks, pages=pages, within=within)
        parts = read_msg(att.content, clock.out_of_time, levels=MAX_DEPTH - depth)
        return _message(name, parts, depth, within, clock)
    except (UnreadableDocx, UnreadablePdf, UnreadableMsg) as err:
        return Unreadable(f"{label} could not be read: {err}", name)
    except RecursionError:
        return Unreadable(f"{label} could not be read: it is nested too deeply inside", name)
    except Exception as err:  # parsers of hostile files fail in ways they do not document
        logger.warning("attachment reader failed: %s (%s)", type(err).__name__, kind)
        return Unreadable(f"{label} could not be read: it is damaged", name)


def _message(
    name: str, parts: MessageParts, depth: int, within: tuple[str, ...], clock: _Clock
) -> AttachmentText:
    inside = (*within, name)
    inner: list[AttachmentText | Unreadable] = []
    cut_short = parts.cut_short
    for attached in parts.attachments:
        if clock.out_of_time():
            cut_short = True
            break
        if isinstance(attached, Skipped):
            where = _where(short_name(attached.name), inside)
            if attached.why not in _SKIPPED:
                continue  # an OLE object or the like: not a form, as a picture is not
            why = f"the attachment {where} {_SKIPPED[attached.why]}"
            if attached.why == "deep":
                why = f"the Outlook attachment {where} could not be read: {_TOO_DEEP}"
            inner.append(Unreadable(why, short_name(attached.name)))
            continue
        if isinstance(attached, MessageParts):
            inner_name = short_name(attached.name)
            inner.append(_message(inner_name, attached, depth + 1, inside, clock))
            continue
        result = _read(attached, depth + 1, inside, clock)
        if result is not None:
            inner.append(result)
    if cut_short:
        inner.append(
            Unreadable(
                f"the rest of the attachments in {_where(name, within)} were not read: "
                "it took too long to read them",
                name,
            )
        )
    return AttachmentText(
        name,
        parts.blocks,
        sender=parts.sender,
        sender_name=parts.sender_name,
        subject=parts.subject,
        within=within,
        attachments=tuple(inner),
    )


def _kind(att: Attachment) -> str | None:
    if is_docx(att.name, att.content_type):
        return "docx"
    if is_pdf(att.name, att.content_type):
        return "pdf"
    if is_msg(att.name, att.content_type):
        return "msg"
    return None


def short_name(name: str) -> str:
    """An attachment's name fit to quote in a reason: one line, at most 80 characters."""
    name = clean_text(name).replace("\n", " ").strip() or "(no name)"
    return name if len(name) <= 80 else name[:80] + "…"


def _where(name: str, within: tuple[str, ...]) -> str:
    if not within:
        return f"'{name}'"
    return f"'{name}' (inside '{within[-1]}')"
