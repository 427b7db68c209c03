"""Outlook .msg files (an email saved or forwarded as an attachment) to their parts.

Read with extract-msg from memory: no file is written, nothing is fetched, and the RTF body
is not converted (the plain-text body Outlook always saves beside it is read instead). The
file is closed whatever happens.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

import extract_msg
from extract_msg.attachments import AttachmentBase
from extract_msg.enums import AttachmentType, ErrorBehavior

from bot.core.mailbox import Attachment
from bot.intake.blocks import Block, clean_text, text_blocks
from bot.intake.html import html_blocks

MSG_CONTENT_TYPES = frozenset({"application/vnd.ms-outlook", "application/x-msg"})
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_MSG_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 50
MAX_BODY_CHARS = 2_000_000
MAX_BLOCKS = 5_000

# Both log every oddity of a damaged file at WARNING; the reason we give is enough.
for _noisy in ("extract_msg", "olefile"):
    logging.getLogger(_noisy).setLevel(logging.ERROR)

_META_CHARSET = re.compile(
    rb"<meta[^>]{0,400}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I
)


class UnreadableMsg(Exception):
    """The attachment is not an Outlook email confbot can read; the message says why."""


class _BadText(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Skipped:
    """A part of the email that was not read: an email nested too deep, or a damaged part."""

    name: str
    why: str = "damaged"  # "damaged", "deep" (nested too far), "link" (a cloud file), "kind"


@dataclass(frozen=True, slots=True)
class MessageParts:
    """An email's subject, From, body blocks, and attachments (an embedded email as parts)."""

    subject: str
    sender: str
    sender_name: str
    blocks: list[Block]
    attachments: tuple[Attachment | MessageParts | Skipped, ...] = ()
    name: str = ""  # an embedded email's name, as its parent lists it
    cut_short: bool = False  # time ran out before all its attachments were listed


def is_msg(name: str, content_type: str) -> bool:
    """Whether an attachment claims to be an Outlook .msg file."""
    return name.lower().endswith(".msg") or content_type.lower() in MSG_CONTENT_TYPES


def _never() -> bool:
    return False


def read_msg(
    content: bytes, out_of_time: Callable[[], bool] = _never, levels: int = 3
) -> MessageParts:
    """The parts of a .msg file; emails embedded in it are read ``levels`` deep, no deeper."""
    if len(content) > MAX_MSG_BYTES:
        raise UnreadableMsg(
            f"it is larger than a request can be ({len(content) / 2**20:.0f} MB; "
            f"at most {MAX_MSG_BYTES // 2**20} MB)"
        )
    if not content.startswith(OLE_MAGIC):
        raise UnreadableMsg("it is not an Outlook email (.msg) file")
    try:
        # A BytesIO, never the bytes: olefile takes short bytes for a file's path.
        msg = extract_msg.MSGFile(  # type: ignore[no-untyped-call]
            io.BytesIO(content),
            delayAttachments=True,
            errorBehavior=ErrorBehavior.ATTACH_SUPPRESS_ALL,
        )
    except Exception as err:  # olefile and extract-msg raise many kinds on damaged files
        raise UnreadableMsg("it is damaged (Outlook could not open it either)") from err
    try:
        return _parts(msg, out_of_time, levels)
    except _BadText:
        raise UnreadableMsg("its text is in a character encoding confbot cannot read") from None
    finally:
        msg.close()


def _parts(msg: Any, out_of_time: Callable[[], bool], levels: int, name: str = "") -> MessageParts:
    subject = _string(msg, "0037")
    sender, sender_name = _sender(msg)
    blocks = _body(msg)
    if len(blocks) > MAX_BLOCKS:
        raise UnreadableMsg("it holds far more text than a request")
    attachments: list[Attachment | MessageParts | Skipped] = []
    listed = msg.attachments
    if len(listed) > MAX_ATTACHMENTS:
        raise UnreadableMsg(f"it has {len(listed)} attachments; a request has a few")
    cut_short = False
    for att in listed:
        if out_of_time():
            cut_short = True
            break
        attachments.append(_attachment(att, out_of_time, levels))
    return MessageParts(
        subject=clean_text(subject).strip(),
        sender=sender,
        sender_name=sender_name,
        blocks=blocks,
        attachments=tuple(attachments),
        name=name,
        cut_short=cut_short,
    )


def _attachment(
    att: Any, out_of_time: Callable[[], bool], levels: int
) -> Attachment | MessageParts | Skipped:
    name = _attachment_name(att)
    kind = getattr(att, "type", AttachmentType.UNKNOWN)
    if kind is AttachmentType.MSG:
        if levels <= 0:
            return Skipped(name or "attached email.msg", "deep")
        return _parts(att.data, out_of_time, levels - 1, name=name or "attached email.msg")
    if kind is AttachmentType.DATA:
        data = att.data
        if isinstance(data, bytes):
            mime = _string(att, "370E")
            return Attachment(name or "(no name)", mime, data)
    if kind is AttachmentType.WEB:
        return Skipped(name or "(no name)", "link")
    if kind is AttachmentType.BROKEN:
        return Skipped(name or "(no name)", "damaged")
    return Skipped(name or "(no name)", "kind")


def _attachment_name(att: Any) -> str:
    for prop in ("3707", "3704", "3001"):
        if value := _string(att, prop):
            return clean_text(value).strip()
    return ""


def _string(obj: Any, prop: str) -> str:
    """A string property, strictly decoded: 001F is UTF-16LE, 001E the message's code page."""
    raw = obj.getStream(f"__substg1.0_{prop}001F")
    try:
        if raw is not None:
            text: str = raw.decode("utf-16-le")
        else:
            raw = obj.getStream(f"__substg1.0_{prop}001E")
            if raw is None:
                return ""
            text = raw.decode(_code_page(obj))
    except (UnicodeDecodeError, LookupError) as err:
        raise _BadText from err
    return text.rstrip("\x00")


def _code_page(obj: Any) -> str:
    msg = obj.msg if isinstance(obj, AttachmentBase) else obj
    try:
        encoding = str(msg.stringEncoding)
        codecs.lookup(encoding)
    except Exception as err:  # an unknown code page number, or no codec for it
        raise _BadText from err
    return encoding


def _sender(msg: Any) -> tuple[str, str]:
    name = _string(msg, "0C1A") or _string(msg, "0042")
    address = ""
    for prop in ("5D01", "0C1F", "0065", "5D02"):
        candidate = _string(msg, prop).strip()
        if "@" in candidate:
            address = candidate
            break
    if not address or not name:
        header_name, header_address = parseaddr(_header_from(_string(msg, "007D")))
        address = address or (header_address if "@" in header_address else "")
        name = name or header_name
    return clean_text(address).strip(), clean_text(name).strip()


def _header_from(headers: str) -> str:
    match = re.search(r"^from:[ \t]*(.{0,400})$", headers[:50_000], re.I | re.M)
    return match.group(1) if match else ""


def _body(msg: Any) -> list[Block]:
    """The HTML body if there is one that decodes, else the plain-text body."""
    html = msg.getStream("__substg1.0_10130102")
    if html:
        text = _decode_html(html[: MAX_BODY_CHARS * 2])
        if text is not None:
            return html_blocks(text)
    plain = _string(msg, "1000")
    if not plain.strip():
        if html:
            raise _BadText  # an HTML body that would not decode, and nothing else
        return []
    return text_blocks(plain[:MAX_BODY_CHARS])


def _decode_html(raw: bytes) -> str | None:
    """The HTML body's text in the charset it declares; None when it does not decode."""
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        declared = _META_CHARSET.search(raw[:65_536])
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        if encoding.lower() in ("utf-8", "us-ascii", "ascii"):
            # Outlook often declares us-ascii or utf-8 and writes Windows-1252.
            try:
                return raw.decode("cp1252")
            except UnicodeDecodeError:
                return None
        return None
