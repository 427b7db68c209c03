"""Fidelity: every response the gateway reads parses into msgraph's own models, whole.

A property msgraph does not know lands in ``additional_data``; only OData annotations
(keys starting with ``@``) and documented extras may. Both the sandbox's answers and the
respx fixtures are held to this, so neither drifts from Graph's shapes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph.generated.models.attachment_collection_response import AttachmentCollectionResponse
from msgraph.generated.models.drive import Drive
from msgraph.generated.models.drive_item import DriveItem
from msgraph.generated.models.event import Event
from msgraph.generated.models.event_collection_response import EventCollectionResponse
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting_collection_response import (
    OnlineMeetingCollectionResponse,
)
from msgraph.generated.models.subscription import Subscription
from msgraph.generated.models.user import User
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_response import (
    GetSchedulePostResponse,
)
from msgraph.generated.users.item.mail_folders.item.messages.delta.delta_get_response import (
    DeltaGetResponse,
)

from graph.sandbox.server import SandboxHandle, start_sandbox
from tests.contract.harness import FIXTURES, MAILBOX, ORGANISER, SOCIAL_WORKER, serve_webhook

CHAIR_ID = "chair.amberley"


def _unknown_fields(value: Any, where: str = "$") -> Iterator[str]:
    """Paths of every non-annotation key msgraph put into additional_data."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unknown_fields(item, f"{where}[{i}]")
        return
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return
    for key in getattr(value, "additional_data", None) or {}:
        if not key.startswith("@"):
            yield f"{where}.{key}"
    for f in dataclasses.fields(value):
        if f.name in ("additional_data", "backing_store"):
            continue
        yield from _unknown_fields(getattr(value, f.name, None), f"{where}.{f.name}")


def _parse(raw: bytes | dict[str, Any], model: Any) -> Any:
    data = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
    node = JsonParseNodeFactory().get_root_parse_node("application/json", data)
    return node.get_object_value(model)


def assert_faithful(raw: bytes | dict[str, Any], model: Any) -> Any:
    """Parse ``raw`` as ``model`` and fail on any field msgraph does not know."""
    parsed = _parse(raw, model)
    unknown = list(_unknown_fields(parsed))
    assert not unknown, f"{model.__name__}: unknown fields {unknown}"
    return parsed


def test_fidelity_check_catches_a_misspelt_field() -> None:
    with pytest.raises(AssertionError, match="joinURL"):
        assert_faithful({"id": "1", "onlineMeeting": {"joinURL": "x"}}, Event)


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("event.json", Event),
        ("message.json", Message),
        ("attachments.json", AttachmentCollectionResponse),
        ("online_meetings.json", OnlineMeetingCollectionResponse),
        ("schedule.json", GetSchedulePostResponse),
        ("drive.json", Drive),
        ("drive_item.json", DriveItem),
        ("subscription.json", Subscription),
        ("error_not_found.json", ODataError),
        ("error_sync_state.json", ODataError),
    ],
)
def test_respx_fixtures_parse_into_msgraph_models_whole(name: str, model: Any) -> None:
    assert_faithful((FIXTURES / name).read_bytes(), model)


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHandle]:
    """A live sandbox on an ephemeral port."""
    handle = await start_sandbox()
    yield handle
    await handle.close()


async def test_sandbox_responses_parse_into_msgraph_models_whole(sandbox: SandboxHandle) -> None:
    base = sandbox.graph_url
    start = datetime(2026, 12, 1, 10, tzinfo=UTC)
    event_body = {
        "subject": "ICPC",
        "body": {"contentType": "html", "content": "<p>x</p>"},
        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T12:00:00", "timeZone": "UTC"},
        "attendees": [{"type": "required", "emailAddress": {"address": SOCIAL_WORKER}}],
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
        "transactionId": "CP-2026-00001",
    }
    async with aiohttp.ClientSession() as http, serve_webhook() as (_, hook_url):

        async def call(method: str, url: str, model: Any, **kw: Any) -> Any:
            async with http.request(method, url, **kw) as r:
                assert r.status < 500, await r.text()
                return assert_faithful(await r.read(), model)

        event = await call("POST", f"{base}/users/{ORGANISER}/events", Event, json=event_body)
        await call("GET", f"{base}/users/{ORGANISER}/events/{event.id}", Event)
        await call("GET", f"{base}/users/{ORGANISER}/events", EventCollectionResponse)
        join = event.online_meeting.join_url
        await call(
            "GET",
            f"{base}/users/{ORGANISER}/onlineMeetings",
            OnlineMeetingCollectionResponse,
            params={"$filter": f"JoinWebUrl eq '{join}'"},
        )
        await call(
            "POST",
            f"{base}/users/{ORGANISER}/calendar/getSchedule",
            GetSchedulePostResponse,
            json={
                "Schedules": [ORGANISER, "nobody@example.net"],
                "StartTime": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
                "EndTime": {"dateTime": "2026-12-01T13:00:00", "timeZone": "UTC"},
            },
        )
        mail = {
            "to": MAILBOX,
            "from": SOCIAL_WORKER,
            "subject": "Request",
            "body": "x",
            "attachments": [{"name": "a.txt", "contentType": "text/plain", "contentBytes": "aGk="}],
        }
        async with http.post(f"{sandbox.url}/_sandbox/mail", json=mail) as r:
            message_id = (await r.json())["ids"][0]
        delta = await call(
            "GET", f"{base}/users/{MAILBOX}/mailFolders/inbox/messages/delta()", DeltaGetResponse
        )
        await call("GET", f"{base}/users/{MAILBOX}/messages/{message_id}", Message)
        await call(
            "GET",
            f"{base}/users/{MAILBOX}/messages/{message_id}/attachments",
            AttachmentCollectionResponse,
        )
        await call(
            "POST",
            f"{base}/users/{MAILBOX}/messages/{message_id}/move",
            Message,
            json={"DestinationId": "archive"},
        )
        removed = await call("GET", delta.odata_delta_link, DeltaGetResponse)
        assert removed.value[0].additional_data["@removed"] == {"reason": "deleted"}
        await call("GET", f"{base}/users/{ORGANISER}/drive", Drive)
        await call(
            "PUT",
            f"{base}/drives/drive-{CHAIR_ID}/items/root:/Minutes/a.docx:/content",
            DriveItem,
            data=b"x",
        )
        await call("GET", f"{base}/users/{ORGANISER}", User)
        await call(
            "POST",
            f"{base}/subscriptions",
            Subscription,
            json={
                "changeType": "created",
                "notificationUrl": hook_url,
                "resource": f"users/{MAILBOX}/mailFolders('inbox')/messages",
                "expirationDateTime": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
                "clientState": "x",
            },
        )
        await call("GET", f"{base}/users/{ORGANISER}/events/missing", ODataError)
