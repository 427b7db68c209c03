"""Two stand-ins for Graph behind one interface, so one contract suite runs against both.

``RespxGraph`` answers from the documented JSON in tests/fixtures/graph; ``SandboxGraph``
is the live sandbox on an ephemeral port. Tests arrange through ``given_*``, act on
``gateway``, and assert on domain results and on ``requests()``.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp
import httpx
import respx
from aiohttp import web

from graph.gateway import GRAPH_V1, GraphGateway
from graph.sandbox.server import SandboxHandle

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "graph"

ORGANISER = "rowan.amberley@example.org"
SECOND_CHAIR = "tamsin.brightwell@example.org"
MAILBOX = "cp.requests@example.org"
SOCIAL_WORKER = "femi.okafor@example.org"
MINUTE_TAKER = "sam.quill@example.org"


def fixture(name: str) -> dict[str, Any]:
    """A documented Graph response from tests/fixtures/graph."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


@dataclass
class Seen:
    """One request the stand-in received."""

    method: str
    path: str  # decoded, after /v1.0
    body: Any


class RespxGraph:
    """Graph as canned, documented responses through respx."""

    name = "respx"

    def __init__(self, router: respx.MockRouter, gateway: GraphGateway) -> None:
        self.router = router
        self.gateway = gateway
        self.notification_url = "https://confbot.example.org/api/graph/notifications"
        self._inbox: list[dict[str, Any]] = []
        self._attachments: dict[str, list[dict[str, Any]]] = {}
        self._cursor = 0
        self._expired = False
        self._categories: dict[str, list[str]] = {}
        self._meeting_ended = False
        self._install()

    def _install(self) -> None:
        base = GRAPH_V1
        r = self.router
        r.post(url__regex=rf"{base}/users/[^/]+/events$").mock(
            side_effect=lambda req: httpx.Response(201, json=fixture("event.json"))
        )
        r.get(url__regex=rf"{base}/users/[^/]+/events/AAMkAGI1AAAt9AHjAAA%3D").mock(
            return_value=httpx.Response(200, json=fixture("event.json"))
        )
        r.patch(url__regex=rf"{base}/users/[^/]+/events/[^/]+$").mock(
            return_value=httpx.Response(200, json=fixture("event.json"))
        )
        r.post(url__regex=rf"{base}/users/[^/]+/events/[^/]+/cancel$").mock(
            return_value=httpx.Response(202)
        )
        r.get(url__regex=rf"{base}/users/[^/]+/events/[^/]+$").mock(
            return_value=httpx.Response(404, json=fixture("error_not_found.json"))
        )
        # Before the meeting list's own route, which would match these paths too.
        reports = rf"{base}/users/[^/]+/onlineMeetings/[^/]+/attendanceReports"
        r.get(url__regex=rf"{reports}/[^/?]+").mock(
            side_effect=lambda req: httpx.Response(200, json=fixture("attendance_report.json"))
        )
        r.get(url__regex=reports).mock(side_effect=self._reports)
        r.get(url__regex=rf"{base}/users/[^/]+/onlineMeetings").mock(
            return_value=httpx.Response(200, json=fixture("online_meetings.json"))
        )
        r.patch(url__regex=rf"{base}/users/[^/]+/onlineMeetings/[^/]+$").mock(
            return_value=httpx.Response(200, json=fixture("online_meetings.json")["value"][0])
        )
        r.post(url__regex=rf"{base}/users/[^/]+/calendar/getSchedule$").mock(
            return_value=httpx.Response(200, json=fixture("schedule.json"))
        )
        r.get(
            url__regex=rf"{base}/users/[^/]+/mailFolders(?:/inbox|\('inbox'\))/messages/delta"
        ).mock(side_effect=self._delta)
        r.get(url__regex=rf"{base}/users/[^/]+/messages/[^/]+/attachments").mock(
            side_effect=self._attachment_list
        )
        r.get(url__regex=rf"{base}/users/[^/]+/messages/[^/?]+").mock(side_effect=self._message)
        r.patch(url__regex=rf"{base}/users/[^/]+/messages/[^/]+$").mock(
            side_effect=self._patch_message
        )
        r.post(url__regex=rf"{base}/users/[^/]+/messages/[^/]+/move$").mock(
            side_effect=lambda req: httpx.Response(
                201, json=self._by_id(unquote(req.url.path.split("/")[-2]))
            )
        )
        r.post(url__regex=rf"{base}/users/[^/]+/sendMail$").mock(return_value=httpx.Response(202))
        r.get(url__regex=rf"{base}/users/[^/]+/drive$").mock(
            return_value=httpx.Response(200, json=fixture("drive.json"))
        )
        r.put(url__regex=rf"{base}/drives/[^/]+/items/.+/content$").mock(
            return_value=httpx.Response(201, json=fixture("drive_item.json"))
        )
        r.post(f"{base}/$batch").mock(side_effect=self._batch)
        r.post(f"{base}/subscriptions").mock(side_effect=self._subscription)
        r.patch(url__regex=rf"{base}/subscriptions/[^/]+$").mock(side_effect=self._subscription)
        r.delete(url__regex=rf"{base}/subscriptions/[^/]+$").mock(return_value=httpx.Response(204))

    # -- arrange -------------------------------------------------------------

    async def given_mail(
        self, subject: str, body: str, attachments: tuple[tuple[str, bytes], ...] = ()
    ) -> None:
        """A message arrives in the request mailbox."""
        message = fixture("message.json")
        number = len(self._inbox) + 1
        message["id"] = f"AAMkAGI1MSG{number:04d}="
        message["internetMessageId"] = f"<{number:04d}@mail.example.org>"
        message["subject"] = subject
        message["body"] = {"contentType": "text", "content": body}
        message["hasAttachments"] = bool(attachments)
        self._inbox.append(message)
        self._attachments[message["id"]] = [
            {
                **fixture("attachments.json")["value"][0],
                "name": name,
                "contentBytes": base64.b64encode(content).decode(),
                "size": len(content),
            }
            for name, content in attachments
        ]

    async def given_expired_delta(self) -> None:
        """Graph forgets every delta sync state."""
        self._expired = True

    async def given_meeting_ended(self, join_url: str) -> None:
        """The meeting ended: Graph has the documented attendance report for its organiser."""
        self._meeting_ended = True

    def _reports(self, request: httpx.Request) -> httpx.Response:
        listed = fixture("attendance_reports.json")
        if not self._meeting_ended:
            listed["value"] = []
        return httpx.Response(200, json=listed)

    async def requests(self) -> list[Seen]:
        """What the gateway sent, in order."""
        seen = []
        for call in self.router.calls:
            req = call.request
            raw = req.content
            try:
                body = json.loads(raw) if raw else None
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = None
            path = unquote(urlsplit(str(req.url)).path).removeprefix("/v1.0")
            seen.append(Seen(req.method, path, body))
        return seen

    # -- canned behaviour ------------------------------------------------------

    def _by_id(self, message_id: str) -> dict[str, Any]:
        for message in self._inbox:
            if message["id"] == message_id:
                return message
        return fixture("error_not_found.json")

    def _delta(self, request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("$deltatoken")
        if token is not None and self._expired:
            self._expired = False
            self._cursor = 0
            return httpx.Response(410, json=fixture("error_sync_state.json"))
        start = int(token) if token is not None else 0
        page = copy.deepcopy(self._inbox[start:])
        self._cursor = len(self._inbox)
        link = (
            f"{GRAPH_V1}/users/cp.requests/mailFolders('inbox')/messages/delta()"
            f"?$deltatoken={self._cursor}"
        )
        return httpx.Response(200, json={"value": page, "@odata.deltaLink": link})

    def _attachment_list(self, request: httpx.Request) -> httpx.Response:
        message_id = unquote(request.url.path.split("/")[-2])
        return httpx.Response(200, json={"value": self._attachments.get(message_id, [])})

    def _message(self, request: httpx.Request) -> httpx.Response:
        message_id = unquote(request.url.path.split("/")[-1])
        found = self._by_id(message_id)
        if "error" in found:
            return httpx.Response(404, json=found)
        return httpx.Response(
            200, json={**found, "categories": self._categories.get(message_id, [])}
        )

    def _patch_message(self, request: httpx.Request) -> httpx.Response:
        message_id = unquote(request.url.path.split("/")[-1])
        body = json.loads(request.content)
        if "categories" in body:
            self._categories[message_id] = body["categories"]
        return httpx.Response(200, json=self._by_id(message_id))

    def _batch(self, request: httpx.Request) -> httpx.Response:
        # Graph's documented batch answer: one entry per request id, each with its status.
        ids = [item["id"] for item in json.loads(request.content)["requests"]]
        responses = [{"id": i, "status": 202, "headers": {}} for i in ids]
        return httpx.Response(200, json={"responses": responses})

    def _subscription(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        answer = {**fixture("subscription.json"), **body}
        return httpx.Response(201 if request.method == "POST" else 200, json=answer)


class SandboxGraph:
    """Graph as the live sandbox tenant."""

    name = "sandbox"

    def __init__(
        self,
        handle: SandboxHandle,
        gateway: GraphGateway,
        session: aiohttp.ClientSession,
        notification_url: str,
    ) -> None:
        self.handle = handle
        self.gateway = gateway
        self.session = session
        self.notification_url = notification_url

    async def given_mail(
        self, subject: str, body: str, attachments: tuple[tuple[str, bytes], ...] = ()
    ) -> None:
        """A message arrives in the request mailbox."""
        payload = {
            "to": MAILBOX,
            "from": SOCIAL_WORKER,
            "subject": subject,
            "body": body,
            "contentType": "text",
            "attachments": [
                {
                    "name": name,
                    "contentType": "text/plain",
                    "contentBytes": base64.b64encode(content).decode(),
                }
                for name, content in attachments
            ],
        }
        async with self.session.post(f"{self.handle.url}/_sandbox/mail", json=payload) as r:
            assert r.status == 201, await r.text()

    async def given_expired_delta(self) -> None:
        """Graph forgets every delta sync state."""
        async with self.session.post(f"{self.handle.url}/_sandbox/delta/expire") as r:
            assert r.status == 204

    async def given_meeting_ended(self, join_url: str) -> None:
        """The meeting ended with the people of the documented attendance report in it."""
        report = fixture("attendance_report.json")
        attendees = [
            {
                "email": record["emailAddress"],
                "name": record["identity"]["displayName"],
                "role": record["role"],
                "intervals": [
                    {"joined": i["joinDateTime"], "left": i["leaveDateTime"]}
                    for i in record["attendanceIntervals"]
                ],
            }
            for record in report["attendanceRecords"]
        ]
        # As in the documented list: a short test session the day before, then the meeting.
        trial = {
            "organiser": ORGANISER,
            "joinWebUrl": join_url,
            "start": "2026-11-30T16:00:02Z",
            "end": "2026-11-30T16:04:41Z",
            "attendees": [
                attendees[0]
                | {
                    "intervals": [
                        {"joined": "2026-11-30T16:00:02Z", "left": "2026-11-30T16:04:41Z"}
                    ]
                }
            ],
        }
        async with self.session.post(f"{self.handle.url}/_sandbox/attendance", json=trial) as r:
            assert r.status == 201, await r.text()
        body = {
            "organiser": ORGANISER,
            "joinWebUrl": join_url,
            "start": report["meetingStartDateTime"],
            "end": report["meetingEndDateTime"],
            "attendees": attendees,
        }
        async with self.session.post(f"{self.handle.url}/_sandbox/attendance", json=body) as r:
            assert r.status == 201, await r.text()

    async def requests(self) -> list[Seen]:
        """What the gateway sent, in order."""
        async with self.session.get(f"{self.handle.url}/_sandbox/requests") as r:
            data = await r.json()
        return [
            Seen(e["method"], e["path"].removeprefix("/v1.0"), e.get("body"))
            for e in data["requests"]
        ]


Harness = RespxGraph | SandboxGraph


class Webhook:
    """A local notification endpoint: echoes validationToken, collects notifications."""

    def __init__(self, *, echo: bool = True) -> None:
        self.echo = echo
        self.received: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        """Graph's two kinds of POST: the handshake, and notifications."""
        token = request.query.get("validationToken")
        if token is not None:
            return web.Response(text=token if self.echo else "no", content_type="text/plain")
        self.received.append(await request.json())
        self.arrived.set()
        return web.Response(status=202)


@asynccontextmanager
async def serve_webhook(*, echo: bool = True) -> AsyncIterator[tuple[Webhook, str]]:
    """A notification endpoint on an ephemeral loopback port, and its URL."""
    hook = Webhook(echo=echo)
    app = web.Application()
    app.router.add_post("/notify", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield hook, f"http://127.0.0.1:{port}/notify"
    finally:
        await runner.cleanup()
