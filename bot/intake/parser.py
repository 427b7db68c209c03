"""The request parser: one message in, one outcome out, and it never raises.

Every message becomes exactly one of: a complete request (Parsed), a message for an
existing conference (AttachToConference), or a triage item with reasons (Triage).
"""

from __future__ import annotations

import logging
import re
import traceback

from bot.core.mailbox import Attachment, InboundMessage
from bot.core.reference import find_references
from bot.intake.assemble import assemble
from bot.intake.blocks import Block, Table, clean_text, own_text, text_blocks
from bot.intake.docx_form import UnreadableDocx, docx_blocks, is_docx
from bot.intake.extract import Extractor, Fields, Value
from bot.intake.html import html_blocks, html_text
from bot.intake.outcome import (
    AGENCY_REPORT,
    CONFIDENTIAL_REQUEST,
    REPLY,
    AttachToConference,
    Parsed,
    ParseOutcome,
    Triage,
)

__all__ = ["AttachToConference", "ParseOutcome", "Parsed", "Triage", "parse_message"]

logger = logging.getLogger(__name__)

BODY_SOURCE = "the email body"
# Far beyond any form; bigger bodies are junk, and reading them would stall the sweep.
MAX_BODY_CHARS = 10_000_000
_FORM_EXTENSIONS = (".doc", ".pdf", ".odt", ".rtf", ".docm", ".dotx")
_CONFIDENTIAL = re.compile(r"\bconfidential\s+(section|slot)", re.IGNORECASE)
_POLICE_WORD = re.compile(r"police|constabulary", re.IGNORECASE)
_POLICE_BODY = re.compile(r"\bpolice\s+(report|information|intelligence|checks?)\b", re.I)
_HTML_START = re.compile(r"^\s*<(!doctype|html|body|div|p|table|head|meta)\b", re.IGNORECASE)


def parse_message(msg: InboundMessage) -> ParseOutcome:
    """Read one request-mailbox message; any failure inside becomes Triage, never an error."""
    message_id = str(getattr(msg, "id", "?"))[:200]
    try:
        outcome = _parse(msg)
    except Exception as err:  # the rule is "never drop a request": a person reads it instead
        frames = traceback.extract_tb(err.__traceback__)[-3:]
        where = ", ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames)
        # Only the type and code position: exception messages can quote personal data.
        logger.error("parser failed on message %s: %s at %s", message_id, type(err).__name__, where)
        return Triage(
            (
                "confbot could not read this message because of an internal error "
                f"({type(err).__name__}); please read it and enter the request by hand",
            )
        )
    logger.info("message %s parsed as %s", message_id, type(outcome).__name__)
    return outcome


def _is_html(msg: InboundMessage) -> bool:
    kind = msg.body_type.lower()
    return kind == "html" or (kind != "text" and bool(_HTML_START.match(msg.body or "")))


def _body_blocks(msg: InboundMessage) -> list[Block]:
    body = msg.body or ""
    return html_blocks(body) if _is_html(msg) else text_blocks(body)


def _short_name(name: str) -> str:
    name = clean_text(name).replace("\n", " ").strip() or "(no name)"
    return name if len(name) <= 80 else name[:80] + "…"


def _read_attachments(
    attachments: tuple[Attachment, ...], fields: Fields
) -> tuple[list[str], list[Block]]:
    problems: list[str] = []
    blocks_read: list[Block] = []
    for attachment in attachments:
        name = _short_name(attachment.name)
        if is_docx(attachment.name, attachment.content_type):
            try:
                blocks = docx_blocks(attachment.content)
            except UnreadableDocx as err:
                problems.append(f"attachment '{name}' could not be read: {err}")
                continue
            Extractor(fields, f"attachment '{name}'").read(blocks)
            blocks_read.extend(blocks)
        elif attachment.name.lower().endswith(_FORM_EXTENSIONS):
            problems.append(
                f"attachment '{name}' was not read: confbot reads request forms only "
                "from the email body or a Word .docx file"
            )
    return problems, blocks_read


def _flat_text(blocks: list[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            parts.extend(cell for row in block.rows for cell in row)
        else:
            parts.append(block)
    return "\n".join(parts)


def _attach(msg: InboundMessage, reference: str, body_text: str) -> AttachToConference:
    subject = clean_text(msg.subject or "")
    # Only the sender's own words decide the kind: a reply quoting the request form
    # ("Confidential section requested: Yes") is still just a reply.
    body = msg.body or ""
    own = own_text(html_text(body) if _is_html(msg) else body)
    if _CONFIDENTIAL.search(subject) or _CONFIDENTIAL.search(own):
        kind = CONFIDENTIAL_REQUEST
    elif msg.attachments or "report" in subject.lower():
        kind = AGENCY_REPORT
    else:
        kind = REPLY
    who = f"{msg.sender} {msg.sender_name} {subject}"
    police = (
        bool(_POLICE_WORD.search(who))
        or any(_POLICE_WORD.search(a.name) for a in msg.attachments)
        or bool(_POLICE_BODY.search(body_text))
    )
    # A confidential-section request holds what parents must not see, as a police report does.
    restricted = (
        police or kind == CONFIDENTIAL_REQUEST or any(a.restricted for a in msg.attachments)
    )
    return AttachToConference(reference=reference, kind=kind, restricted=restricted)


def _parse(msg: InboundMessage) -> ParseOutcome:
    body = msg.body or ""
    if len(body) > MAX_BODY_CHARS:
        return Triage(
            (f"the email body is too long to read ({len(body) // 1_000_000} million characters)",)
        )
    fields = Fields()
    body_blocks = _body_blocks(msg)
    Extractor(fields, BODY_SOURCE).read(body_blocks)
    problems, _ = _read_attachments(msg.attachments, fields)
    body_text = _flat_text(body_blocks)
    form_present = ("", 0, "conference_type") in fields.values

    subject_refs = find_references(clean_text(msg.subject or ""))
    body_refs = find_references(body_text)
    # confbot puts the reference in the subject of all it sends, so replies carry it there.
    refs = subject_refs or ([] if form_present else body_refs)
    if len(refs) > 1:
        return Triage(
            (
                f"the message quotes more than one conference reference ({', '.join(refs[:5])}); "
                "a person must decide which conference it belongs to",
            )
        )
    if refs:
        return _attach(msg, refs[0], body_text)

    if not fields.values:
        return Triage(
            (
                "no request form was found: none of the form's labelled fields "
                "(such as 'Conference type: ICPC') are in the email body or a Word attachment",
                *problems,
            )
        )
    warnings: list[str] = []
    if body_refs and ("", 0, "previous_reference") not in fields.values:
        fields.add(("", 0, "previous_reference"), Value(body_refs[0], BODY_SOURCE))
        warnings.append(
            f"the request quotes {body_refs[0]}; it is recorded as the previous conference"
        )
    request, reasons, more = assemble(fields, msg.received_at)
    if request is None:
        return Triage((*reasons, *problems) or ("the request could not be read",))
    return Parsed(request, (*warnings, *more, *problems))
