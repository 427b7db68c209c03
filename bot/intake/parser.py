"""The request parser: one message in, one outcome out, and it never raises.

Every message becomes exactly one of: a complete request (Parsed), a message for an
existing conference (AttachToConference), or a triage item with reasons (Triage).
"""

from __future__ import annotations

import logging
import re
import traceback

from bot.core.mailbox import Attachment, InboundMessage
from bot.core.playbook.intake import IntakeVocabulary
from bot.core.reference import find_references
from bot.intake.assemble import Assembled, assemble, check_complete, name_systems
from bot.intake.attachments import Unreadable, read_attachments
from bot.intake.blocks import Block, Table, clean_text, own_text, text_blocks
from bot.intake.draft import DraftProblems, request_of
from bot.intake.extract import Extractor
from bot.intake.field_values import Fields, Value
from bot.intake.html import html_blocks, html_text
from bot.intake.labels import CHILD
from bot.intake.outcome import (
    AGENCY_REPORT,
    CONFIDENTIAL_REQUEST,
    REPLY,
    AttachToConference,
    Parsed,
    ParseOutcome,
    ThresholdDiscussion,
    Triage,
)
from bot.intake.prose import (
    asks_for_threshold_discussion,
    drop_disclaimers,
    own_words,
    read_prose,
)
from bot.intake.senders import add_sender
from bot.intake.shared import share_legal_status, share_references
from bot.intake.written import written_on

__all__ = ["AttachToConference", "ParseOutcome", "Parsed", "Triage", "parse_message"]

logger = logging.getLogger(__name__)

BODY_SOURCE = "the email body"
# Far beyond any form; bigger bodies are junk, and reading them would stall the sweep.
MAX_BODY_CHARS = 10_000_000
MAX_BODY_LINES = 3_000
_CONFIDENTIAL = re.compile(r"\bconfidential\s+(section|slot)", re.IGNORECASE)
_POLICE_WORD = re.compile(r"police|constabulary", re.IGNORECASE)
_POLICE_BODY = re.compile(r"\bpolice\s+(report|information|intelligence|checks?)\b", re.I)
_HTML_START = re.compile(r"^\s*<(!doctype|html|body|div|p|table|head|meta)\b", re.IGNORECASE)


def parse_message(msg: InboundMessage, vocabulary: IntakeVocabulary | None = None) -> ParseOutcome:
    """Read one request-mailbox message; any failure inside becomes Triage, never an error.

    ``vocabulary`` is the council's own (from its playbook): extra labels, its case
    systems, and what a booking needs.
    """
    message_id = str(getattr(msg, "id", "?"))[:200]
    try:
        outcome = _parse(msg, vocabulary or IntakeVocabulary())
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


def _read_attachments(
    attachments: tuple[Attachment, ...], fields: Fields
) -> tuple[list[str], list[Block], list[tuple[str, str]]]:
    """Problems, the blocks read, and the (name, address) of each attached email's sender."""
    problems: list[str] = []
    blocks_read: list[Block] = []
    senders: list[tuple[str, str]] = []
    for result in read_attachments(attachments):
        if isinstance(result, Unreadable):
            problems.append(result.reason)
            continue
        Extractor(fields, result.source).read(result.blocks)
        blocks_read.extend(result.blocks)
        if result.sender or result.sender_name:
            senders.append((result.sender_name, result.sender))
    return problems, blocks_read, senders


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


def _request_like(fields: Fields) -> bool:
    """Whether the fields read describe a request: a conference type and a child."""
    has_type = ("", 0, "conference_type") in fields.values
    return has_type and any(key[0] == CHILD for key in fields.values)


def _quoted_as_previous(
    fields: Fields, refs: list[str], subject_refs: list[str], body: str, subject: str = ""
) -> bool:
    """Whether the body's only references are a request form's "previous conference".

    A request forwarded on someone's behalf quotes the last conference in its form. A reply
    to confbot carries the reference in its subject ("RE: CP-2026-00083 Invitation ..."); a
    subject that is no reply ("RCPC - L.W. - CP-2026-00173") over a body that calls the
    reference the previous conference is a new request.
    """
    labelled = " ".join(v.text for v in fields.values.get(("", 0, "previous_reference"), []))
    if subject_refs:
        # "RCPC - L.W. - CP-2026-00173", and the body asks for "the first review for L.W.
        # (previous conference CP-2026-00173)": the subject names the last one, too.
        replying = bool(_REPLY_PREFIX.match(subject))
        return not replying and all(_said_as_earlier(ref, body) for ref in refs)
    return all(ref in find_references(labelled) or _said_as_earlier(ref, body) for ref in refs)


# Words just before a reference that make it an earlier conference: "on a plan since the
# ICPC on 27 August (CP-2026-00029)", "last conference CP-2026-00083".
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw)\s*:", re.IGNORECASE)
_EARLIER = re.compile(r"\b(previous|last|earlier|since|held|original|prior|first)\b", re.IGNORECASE)


def _said_as_earlier(ref: str, body: str) -> bool:
    at = body.find(ref)
    return at >= 0 and bool(_EARLIER.search(body[max(0, at - 60) : at]))


def _shared_facts(assembled: Assembled, text: str) -> None:
    """References and legal status said once for all the children, given to each."""
    children = assembled.draft["children"]
    for n in share_references(children, text):
        assembled.sources.setdefault(f"children.{n}.case_references", BODY_SOURCE)
    for n in share_legal_status(children, text):
        assembled.sources.setdefault(f"children.{n}.legal_status", BODY_SOURCE)


def _own_words_are_a_request(msg: InboundMessage) -> bool:
    """Whether the sender's own words (not a quoted form below them) make a request."""
    body = msg.body or ""
    own = own_text(html_text(body) if _is_html(msg) else body)
    fields = Fields()
    blocks = text_blocks(own)
    Extractor(fields, BODY_SOURCE).read(blocks)
    if _request_like(fields):
        return True  # read_prose only adds fields, so it could not make this False
    read_prose(fields, blocks, "", BODY_SOURCE)
    return _request_like(fields) or bool(msg.attachments and _request_like_attachments(msg))


def _request_like_attachments(msg: InboundMessage) -> bool:
    fields = Fields()
    _read_attachments(msg.attachments, fields)
    return _request_like(fields)


def _parse(msg: InboundMessage, vocabulary: IntakeVocabulary) -> ParseOutcome:
    body = msg.body or ""
    if len(body) > MAX_BODY_CHARS:
        return Triage(
            (f"the email body is too long to read ({len(body) // 1_000_000} million characters)",)
        )
    fields = Fields()
    body_blocks = drop_disclaimers(_body_blocks(msg))
    if len(body_blocks) > MAX_BODY_LINES:
        # A request form is a page or two; reading a huge body would stall the sweep.
        return Triage(
            (
                f"the email body is too long to read as a request ({len(body_blocks):,} "
                f"lines; a request is at most {MAX_BODY_LINES:,})",
            )
        )
    Extractor(fields, BODY_SOURCE, vocabulary.aliases).read(body_blocks)
    problems, attached, attached_senders = _read_attachments(msg.attachments, fields)
    body_text = _flat_text(body_blocks)
    subject = clean_text(msg.subject or "")
    read_prose(fields, [*body_blocks, *attached], subject, BODY_SOURCE)
    nothing_read = not fields.values
    request_like = _request_like(fields)

    subject_refs = find_references(subject)
    body_refs = find_references(body_text)
    # confbot puts the reference in the subject of all it sends, so replies carry it there;
    # a request quoting an earlier conference is still a request.
    refs = subject_refs or body_refs
    if (
        refs
        and request_like
        and (
            _quoted_as_previous(fields, refs, subject_refs, body_text, subject)
            or _own_words_are_a_request(msg)
        )
    ):
        refs = []
    if len(refs) > 1:
        return Triage(
            (
                f"the message quotes more than one conference reference ({', '.join(refs[:5])}); "
                "a person must decide which conference it belongs to",
            )
        )
    if refs:
        return _attach(msg, refs[0], body_text)

    warnings: list[str] = []
    quoted = [*subject_refs, *body_refs]
    if quoted and ("", 0, "previous_reference") not in fields.values:
        fields.add(("", 0, "previous_reference"), Value(quoted[0], BODY_SOURCE))
        warnings.append(f"the request quotes {quoted[0]}; it is kept as the previous conference")
    add_sender(fields, msg, body_blocks, attached_senders)
    raw = msg.body or ""
    whole = clean_text(html_text(raw) if _is_html(msg) else raw)[:200_000]
    assembled = assemble(fields, msg.received_at, written_on(fields, whole))
    _shared_facts(assembled, _flat_text([*body_blocks, *attached])[:20_000])
    if (
        asks_for_threshold_discussion(subject, body_text)
        and not assembled.draft["strategy_discussion_date"]
    ):
        return ThresholdDiscussion(assembled.draft, summary=own_words(body_text)[:2000])
    if nothing_read:
        return Triage(
            (
                "no request form was found: confbot found no child, conference type or "
                "family details in the email body or a readable attachment",
                *problems,
            ),
            draft=assembled.draft,
        )
    name_systems(assembled.draft, vocabulary)
    check_complete(assembled, required=frozenset(vocabulary.required))
    if not assembled.problems:
        try:
            request = request_of(assembled.draft)
        except DraftProblems as err:
            assembled.problems.extend(err.problems)
        else:
            return Parsed(request, (*warnings, *assembled.warnings, *problems))
    reasons = tuple(dict.fromkeys(p.message for p in assembled.problems))
    return Triage(
        (*reasons, *problems),
        draft=assembled.draft,
        problems=tuple(assembled.problems),
        sources=assembled.sources,
    )
