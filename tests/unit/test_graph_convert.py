"""Translating Graph's shapes into the domain's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone

from bot.core.mailbox import Attachment, OutgoingMail
from graph.convert import from_graph_time, graph_message, to_graph_time


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-12-01T10:00:00.0000000", "UTC", datetime(2026, 12, 1, 10, tzinfo=UTC)),
        ("2026-07-01T10:00:00.0000000", "GMT Standard Time", datetime(2026, 7, 1, 9, tzinfo=UTC)),
        ("2026-07-01T10:00:00", "Europe/London", datetime(2026, 7, 1, 9, tzinfo=UTC)),
        ("2026-12-01T10:00:00Z", None, datetime(2026, 12, 1, 10, tzinfo=UTC)),
    ],
)
def test_graph_times_are_read_as_utc_whatever_zone_they_name(
    text: str, zone: str | None, expected: datetime
) -> None:
    assert from_graph_time(DateTimeTimeZone(date_time=text, time_zone=zone)) == expected


def test_times_sent_to_graph_are_utc() -> None:
    sent = to_graph_time(datetime(2026, 12, 1, 10, tzinfo=UTC))
    assert (sent.date_time, sent.time_zone) == ("2026-12-01T10:00:00", "UTC")


def test_only_custom_x_headers_are_sent() -> None:
    mail = OutgoingMail(
        to=("someone@example.org",),
        subject="s",
        html_body="<p/>",
        headers={"X-Confbot-Conference": "CP-2026-00001", "Subject": "ignored"},
        attachments=(Attachment("a.pdf", "application/pdf", b"%PDF"),),
    )
    message = graph_message(mail)
    assert [h.name for h in message.internet_message_headers] == ["X-Confbot-Conference"]
    assert message.attachments[0].content_bytes == b"%PDF"
