"""The request corpus's emails as the mailbox adapter hands them to the reader."""

from __future__ import annotations

import email
import email.policy
import email.utils
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from bot.core.mailbox import Attachment, InboundMessage

REQUESTS = Path(__file__).resolve().parent / "fixtures" / "requests"


def load_message(path: Path) -> InboundMessage:
    """An .eml file as the mailbox adapter would hand it over."""
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    body_part = msg.get_body(preferencelist=("html", "plain"))
    body = body_part.get_content() if body_part is not None else ""
    body_type = (
        "html" if body_part is not None and body_part.get_content_subtype() == "html" else "text"
    )
    attachments = []
    for part in msg.iter_attachments():
        name = part.get_filename()
        if not name:
            continue
        content = part.get_payload(decode=True) or b""
        attachments.append(Attachment(name, part.get_content_type(), content))
    name, address = email.utils.parseaddr(str(msg.get("From", "")))
    cc = tuple(email.utils.getaddresses([str(v) for v in msg.get_all("Cc", [])]))
    sent = msg.get("Date")
    received = email.utils.parsedate_to_datetime(str(sent)) if sent else datetime.now(UTC)
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    return InboundMessage(
        id=path.stem,
        internet_message_id=str(msg.get("Message-ID", path.stem)),
        received_at=received.astimezone(UTC),
        sender=address,
        subject=str(msg.get("Subject", "")),
        body=body,
        body_type=body_type,
        attachments=tuple(attachments),
        sender_name=name,
        cc=cc,
    )


def cases(folder: Path) -> list[Path]:
    """Every case's .eml under ``folder``, in its sub-folders too (each writer's set), but
    never the builders' own files in ``tools/``."""
    return sorted(p for p in folder.rglob("*.eml") if "tools" not in p.relative_to(folder).parts)
