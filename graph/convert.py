"""Translation between msgraph-sdk models and bot.core types. Nothing here does I/O."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from msgraph.generated.models.attendee import Attendee as GraphAttendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.file_attachment import FileAttachment
from msgraph.generated.models.internet_message_header import InternetMessageHeader
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.location import Location
from msgraph.generated.models.message import Message
from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.models.single_value_legacy_extended_property import (
    SingleValueLegacyExtendedProperty,
)

from bot.core.mailbox import Attachment, InboundMessage, OutgoingMail
from bot.core.meeting import Attendee, Meeting, MeetingRef, MeetingRequest

FILE_ATTACHMENT = "#microsoft.graph.fileAttachment"
# A named MAPI property of confbot's own (a fixed GUID and a name) that carries the outbox's
# idempotency key on every sent message. Graph keeps it on the copy in Drafts and Sent Items,
# where ``$filter=singleValueExtendedProperties/Any(ep: ep/id eq '...' and ep/value eq '...')``
# finds it; the string form of the id is Graph's documented "String {guid} Name name".
OUTBOX_KEY_PROPERTY = "String {5f1c8a3e-2b7d-4c4e-9a61-0c6f3d2b9e17} Name ConfbotOutboxKey"


def outbox_key_filter(key: str) -> str:
    """The ``$filter`` that finds the message carrying outbox ``key``."""
    quoted = key.replace("'", "''")
    return (
        f"singleValueExtendedProperties/Any(ep: ep/id eq '{OUTBOX_KEY_PROPERTY}' "
        f"and ep/value eq '{quoted}')"
    )


def to_graph_time(value: datetime) -> Any:
    """A UTC ``dateTimeTimeZone`` for Graph."""
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return DateTimeTimeZone(date_time=utc.strftime("%Y-%m-%dT%H:%M:%S"), time_zone="UTC")


# Graph names zones the Windows way unless asked otherwise; these are the ones an
# English council's mailbox can carry.
_WINDOWS_ZONES = {"GMT Standard Time": "Europe/London", "Greenwich Standard Time": "UTC"}


def from_graph_time(value: Any) -> datetime:
    """A UTC datetime from Graph's ``dateTimeTimeZone`` (UTC by default, or a named zone)."""
    text = str(value.date_time).rstrip("Z")
    if "." in text:  # Graph sends seven fractional digits; Python wants at most six
        head, frac = text.split(".", 1)
        text = f"{head}.{frac[:6]}"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        zone_name = str(value.time_zone or "UTC")
        zone_name = _WINDOWS_ZONES.get(zone_name, zone_name)
        try:
            zone: Any = (
                UTC if zone_name in ("UTC", "tzone://Microsoft/Utc") else ZoneInfo(zone_name)
            )
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A DateTimeOffset the SDK parsed, in UTC (one without an offset is taken as UTC)."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _recipient(address: str, name: str = "") -> Any:
    return Recipient(email_address=EmailAddress(address=address, name=name or None))


def graph_attendees(attendees: tuple[Attendee, ...]) -> list[Any]:
    """Graph attendees for the invite."""
    return [
        GraphAttendee(
            email_address=EmailAddress(address=a.email, name=a.name),
            type=AttendeeType.Required if a.required else AttendeeType.Optional,
        )
        for a in attendees
    ]


def event_for(request: MeetingRequest) -> Any:
    """The Graph event that creates a Teams meeting for ``request``."""
    return Event(
        subject=request.subject,
        body=ItemBody(content_type=BodyType.Html, content=request.html_body),
        start=to_graph_time(request.start),
        end=to_graph_time(request.end),
        location=Location(display_name=request.location) if request.location else None,
        attendees=graph_attendees(request.attendees),
        is_online_meeting=True,
        online_meeting_provider=OnlineMeetingProviderType.TeamsForBusiness,
        allow_new_time_proposals=False,
        transaction_id=request.transaction_id,
    )


def meeting_ref(event: Any) -> MeetingRef:
    """The domain's handle on a created meeting."""
    online = event.online_meeting
    return MeetingRef(
        event_id=str(event.id),
        join_url=(online.join_url if online else None) or event.online_meeting_url or "",
        conference_id=online.conference_id if online else None,
        dial_in=online.toll_number if online else None,
    )


def meeting_from(event: Any, organiser: str) -> Meeting:
    """A whole meeting as the domain sees it."""
    return Meeting(
        ref=meeting_ref(event),
        organiser=organiser,
        subject=event.subject or "",
        start=from_graph_time(event.start),
        end=from_graph_time(event.end),
        attendee_addresses=tuple(
            a.email_address.address for a in (event.attendees or []) if a.email_address
        ),
        cancelled=bool(event.is_cancelled),
    )


def inbound_message(message: Any, attachments: tuple[Attachment, ...] = ()) -> InboundMessage:
    """A domain message from a Graph message."""
    sender = message.from_ or message.sender
    address = sender.email_address if sender else None
    body = message.body
    received = message.received_date_time or datetime.now(UTC)
    return InboundMessage(
        id=str(message.id),
        internet_message_id=message.internet_message_id or "",
        received_at=received.astimezone(UTC),
        sender=(address.address or "") if address else "",
        subject=message.subject or "",
        body=(body.content or "") if body else "",
        body_type=str(body.content_type.value).lower() if body and body.content_type else "text",
        attachments=attachments,
        sender_name=(address.name or "") if address else "",
        conversation_id=message.conversation_id or "",
        categories=tuple(message.categories or ()),
        cc=tuple(
            (r.email_address.name or "", r.email_address.address or "")
            for r in (message.cc_recipients or [])
            if r.email_address
        ),
    )


def domain_attachment(item: Any) -> Attachment | None:
    """A domain attachment from a Graph file attachment; other kinds are skipped."""
    if not isinstance(item, FileAttachment):
        return None
    content = item.content_bytes or b""
    if isinstance(content, str):  # older kiota versions hand back the base64 text
        content = base64.b64decode(content)
    return Attachment(
        name=item.name or "attachment",
        content_type=item.content_type or "application/octet-stream",
        content=content,
    )


def graph_message(mail: OutgoingMail) -> Any:
    """The Graph message for an outgoing mail. Restricted attachments must never get here."""
    return Message(
        subject=mail.subject,
        body=ItemBody(content_type=BodyType.Html, content=mail.html_body),
        to_recipients=[_recipient(a) for a in mail.to],
        cc_recipients=[_recipient(a) for a in mail.cc] or None,
        reply_to=[_recipient(mail.reply_to)] if mail.reply_to else None,
        attachments=[
            FileAttachment(
                odata_type=FILE_ATTACHMENT,
                name=a.name,
                content_type=a.content_type,
                content_bytes=a.content,
            )
            for a in mail.attachments
        ]
        or None,
        # Graph accepts only custom headers, which must start with "x-".
        internet_message_headers=[
            InternetMessageHeader(name=k, value=v)
            for k, v in mail.headers.items()
            if k.lower().startswith("x-")
        ]
        or None,
        single_value_extended_properties=(
            [SingleValueLegacyExtendedProperty(id=OUTBOX_KEY_PROPERTY, value=mail.key)]
            if mail.key
            else None
        ),
    )
