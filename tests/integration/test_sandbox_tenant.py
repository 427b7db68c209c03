"""The sandbox behaves as Microsoft 365 does, seen from the stock msgraph-sdk and raw HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from msgraph import GraphServiceClient
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)
from msgraph.graph_request_adapter import GraphRequestAdapter

from graph.sandbox.server import SandboxHandle, start_sandbox
from graph.sandbox.web import SandboxConfig
from graph.transport import close_http_client
from tests.contract.harness import MAILBOX, ORGANISER, SOCIAL_WORKER, serve_webhook

CHAIR_ID = "chair.amberley"


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHandle]:
    """A live sandbox on an ephemeral port."""
    handle = await start_sandbox(config=SandboxConfig(throttle_retry_after=0.01))
    yield handle
    await handle.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client for raw calls and the control API."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def stock_client(sandbox: SandboxHandle) -> AsyncIterator[Any]:
    """The stock msgraph-sdk, anonymous, base_url set to the sandbox, as DESIGN.md shows."""
    adapter = GraphRequestAdapter(AnonymousAuthenticationProvider())
    adapter.base_url = sandbox.graph_url
    yield GraphServiceClient(request_adapter=adapter)
    await close_http_client(adapter._http_client)


def _event(transaction_id: str) -> Event:
    return Event(
        subject="Review child protection conference",
        body=ItemBody(content="<p>Details</p>"),
        start=DateTimeTimeZone(date_time="2026-12-02T10:00:00", time_zone="UTC"),
        end=DateTimeTimeZone(date_time="2026-12-02T11:00:00", time_zone="UTC"),
        attendees=[Attendee(email_address=EmailAddress(address=SOCIAL_WORKER, name="Femi"))],
        is_online_meeting=True,
        transaction_id=transaction_id,
    )


async def test_repeated_transaction_id_leaves_one_event(
    sandbox: SandboxHandle, stock_client: Any
) -> None:
    first = await stock_client.users.by_user_id(ORGANISER).events.post(_event("CP-2026-00003"))
    second = await stock_client.users.by_user_id(ORGANISER).events.post(_event("CP-2026-00003"))
    assert first.id == second.id
    assert len(sandbox.state.events[CHAIR_ID]) == 1


async def test_mail_posted_to_control_api_appears_in_mailbox_delta(
    sandbox: SandboxHandle, stock_client: Any, http: aiohttp.ClientSession
) -> None:
    payload = {"to": MAILBOX, "from": SOCIAL_WORKER, "subject": "New request", "body": "Hello"}
    async with http.post(f"{sandbox.url}/_sandbox/mail", json=payload) as r:
        assert r.status == 201
    delta = stock_client.users.by_user_id(MAILBOX).mail_folders.by_mail_folder_id("inbox")
    page = await delta.messages.delta.get()
    assert [m.subject for m in page.value] == ["New request"]
    assert page.odata_delta_link


async def test_send_mail_to_sandbox_user_lands_in_their_inbox_and_outsiders_in_outbox(
    sandbox: SandboxHandle, stock_client: Any
) -> None:
    message = Message(
        subject="Conference invitation",
        body=ItemBody(content="You are invited."),
        to_recipients=[
            Recipient(email_address=EmailAddress(address=SOCIAL_WORKER)),
            Recipient(email_address=EmailAddress(address="gp.practice@example.net")),
        ],
    )
    await stock_client.users.by_user_id("mts.admin").send_mail.post(
        SendMailPostRequestBody(message=message)
    )
    inbox = [m for m in sandbox.state.messages["sw.okafor"].values()]
    assert [m["subject"] for m in inbox] == ["Conference invitation"]
    assert inbox[0]["parentFolderId"] == "inbox"
    assert sandbox.state.outbox[0]["to"] == ["gp.practice@example.net"]


async def test_errors_come_back_in_graph_error_shape(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sandbox.graph_url}/users/{CHAIR_ID}/events/nope") as r:
        assert r.status == 404
        body = await r.json()
    assert body["error"]["code"] == "ErrorItemNotFound"
    assert body["error"]["message"]
    assert "request-id" in body["error"]["innerError"]


async def test_more_than_four_concurrent_requests_to_one_mailbox_answer_429(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    # Hold every request for a moment so they overlap.
    async with http.post(
        f"{sandbox.url}/_sandbox/faults", json={"rate": 0, "latency_ms": 200}
    ) as r:
        assert r.status == 200

    async def one() -> tuple[int, str | None]:
        async with http.get(f"{sandbox.graph_url}/users/{CHAIR_ID}/events") as r:
            await r.read()
            return r.status, r.headers.get("Retry-After")

    results = await asyncio.gather(*(one() for _ in range(8)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(200) == 4
    assert statuses.count(429) == 4
    assert all(after is not None for s, after in results if s == 429)


async def test_subscription_handshake_then_notification_carries_client_state(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    async with serve_webhook() as (hook, url):
        body = {
            "changeType": "created",
            "notificationUrl": url,
            "resource": f"users/{MAILBOX}/mailFolders('inbox')/messages",
            "expirationDateTime": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "clientState": "s3cret-state",
        }
        async with http.post(f"{sandbox.graph_url}/subscriptions", json=body) as r:
            assert r.status == 201, await r.text()
            sub = await r.json()
        mail = {"to": MAILBOX, "from": SOCIAL_WORKER, "subject": "Ping", "body": "x"}
        async with http.post(f"{sandbox.url}/_sandbox/mail", json=mail) as r:
            assert r.status == 201
        await asyncio.wait_for(hook.arrived.wait(), timeout=5)
    note = hook.received[0]["value"][0]
    assert note["subscriptionId"] == sub["id"]
    assert note["clientState"] == "s3cret-state"
    assert note["changeType"] == "created"
    assert note["resourceData"]["id"]


async def test_subscription_is_refused_when_the_endpoint_does_not_echo_the_token(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    async with serve_webhook(echo=False) as (_, url):
        body = {
            "changeType": "created",
            "notificationUrl": url,
            "resource": f"users/{MAILBOX}/messages",
            "expirationDateTime": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        }
        async with http.post(f"{sandbox.graph_url}/subscriptions", json=body) as r:
            assert r.status == 400
    assert sandbox.state.subscriptions == {}


async def test_batch_runs_dependent_requests_in_order_and_fails_their_dependants(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    requests = [
        {
            "id": "1",
            "method": "POST",
            "url": f"/users/{CHAIR_ID}/events",
            "headers": {"Content-Type": "application/json"},
            "body": {
                "subject": "Batched",
                "start": {"dateTime": "2026-12-03T10:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-12-03T11:00:00", "timeZone": "UTC"},
            },
        },
        {"id": "2", "method": "GET", "url": f"/users/{CHAIR_ID}/events", "dependsOn": ["1"]},
        {"id": "3", "method": "GET", "url": f"/users/{CHAIR_ID}/events/missing"},
        {"id": "4", "method": "GET", "url": f"/users/{CHAIR_ID}", "dependsOn": ["3"]},
    ]
    async with http.post(f"{sandbox.graph_url}/$batch", json={"requests": requests}) as r:
        assert r.status == 200
        answer = await r.json()
    status = {x["id"]: x["status"] for x in answer["responses"]}
    assert status == {"1": 201, "2": 200, "3": 404, "4": 424}
    assert [e["subject"] for e in answer["responses"][1]["body"]["value"]] == ["Batched"]


async def test_batch_of_more_than_twenty_requests_is_refused(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    requests = [{"id": str(i), "method": "GET", "url": "/users"} for i in range(21)]
    async with http.post(f"{sandbox.graph_url}/$batch", json={"requests": requests}) as r:
        assert r.status == 400


async def test_state_shows_users_events_mail_outbox_and_files_and_reset_clears_them(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    attachment = {"name": "a.txt", "contentType": "text/plain", "contentBytes": "aGk="}
    mail = {"to": MAILBOX, "from": "someone@example.net", "subject": "Hi", "body": "b"}
    async with http.post(
        f"{sandbox.url}/_sandbox/mail", json={**mail, "attachments": [attachment]}
    ) as r:
        assert r.status == 201
    async with http.put(
        f"{sandbox.graph_url}/drives/drive-minutes.quill/items/root:/Minutes/m.txt:/content",
        data=b"minutes",
    ) as r:
        assert r.status == 201
        web_url = (await r.json())["webUrl"]
    async with http.get(web_url) as r:
        assert await r.read() == b"minutes"
    async with http.get(f"{sandbox.url}/_sandbox/state") as r:
        state = await r.json()
    assert {u["id"] for u in state["users"]} >= {CHAIR_ID, "cp.requests"}
    assert state["mail"]["cp.requests"][0]["attachments"] == ["a.txt"]
    assert state["drives"]["drive-minutes.quill"][0]["name"] == "m.txt"
    async with http.get(f"{sandbox.url}/_sandbox/requests") as r:
        log = (await r.json())["requests"]
    assert {"method", "path", "status", "timestamp", "mailbox"} <= set(log[0])
    async with http.post(f"{sandbox.url}/_sandbox/reset") as r:
        assert r.status == 204
    assert sandbox.state.messages["cp.requests"] == {}
    assert sandbox.state.drives["drive-minutes.quill"] == {}


async def test_the_same_fault_seed_gives_the_same_faults(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    async def run() -> list[int]:
        rule = {"rate": 0.5, "statuses": [429, 503, 500], "retry_after": 0, "seed": 42}
        async with http.post(f"{sandbox.url}/_sandbox/faults", json=rule) as r:
            assert r.status == 200
        out = []
        for _ in range(20):
            async with http.get(f"{sandbox.graph_url}/users") as r:
                out.append(r.status)
        return out

    first = await run()
    assert await run() == first
    assert {429, 503, 500} & set(first)
    async with http.delete(f"{sandbox.url}/_sandbox/faults") as r:
        assert r.status == 204


async def test_control_mail_rejects_attachments_that_are_not_base64(
    sandbox: SandboxHandle, http: aiohttp.ClientSession
) -> None:
    bad = {"name": "x", "contentBytes": "***"}
    mail = {"to": MAILBOX, "from": SOCIAL_WORKER, "subject": "s", "attachments": [bad]}
    async with http.post(f"{sandbox.url}/_sandbox/mail", json=mail) as r:
        assert r.status == 400
    assert sandbox.state.messages["cp.requests"] == {}
