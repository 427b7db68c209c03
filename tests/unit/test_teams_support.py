"""Test doubles for the Teams adapter: an in-memory store and a local Bot Connector service."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.core.cards import SENDING, SENT, CardDelivery


class MemoryConversationStore:
    """ConversationStore in memory: for unit tests only (production uses the database)."""

    def __init__(self) -> None:
        self.conversations: dict[str, dict[str, Any]] = {}
        self.deliveries: dict[tuple[int, str], CardDelivery] = {}
        self._order = itertools.count()

    async def save_conversation(
        self,
        conversation_id: str,
        reference: dict[str, Any],
        *,
        user_key: str | None = None,
        conference_id: int | None = None,
    ) -> None:
        row = self.conversations.setdefault(conversation_id, {})
        row["reference"] = reference
        row["order"] = next(self._order)
        if user_key is not None:
            row["user_key"] = user_key
        if conference_id is not None:
            row["conference_id"] = conference_id

    async def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        row = self.conversations.get(conversation_id)
        return None if row is None else row["reference"]

    async def conference_of(self, conversation_id: str) -> int | None:
        return self.conversations.get(conversation_id, {}).get("conference_id")

    async def conversation_for_conference(self, conference_id: int) -> dict[str, Any] | None:
        return self._latest(
            lambda r: r.get("conference_id") == conference_id and "user_key" not in r
        )

    async def conversation_for_user(self, user_key: str) -> dict[str, Any] | None:
        return self._latest(lambda r: r.get("user_key") == user_key)

    async def save_card(
        self, conference_id: int, prompt_id: str, conversation_id: str, activity_id: str
    ) -> None:
        known = self.deliveries.get((conference_id, prompt_id))
        attempts = known.attempts if known is not None else 1
        self.deliveries[(conference_id, prompt_id)] = CardDelivery(
            SENT, conversation_id, activity_id, attempts
        )

    async def card(self, conference_id: int, prompt_id: str) -> tuple[str, str] | None:
        known = self.deliveries.get((conference_id, prompt_id))
        if known is None or known.state != SENT:
            return None
        return known.conversation_id, known.activity_id

    async def card_delivery(self, conference_id: int, prompt_id: str) -> CardDelivery | None:
        return self.deliveries.get((conference_id, prompt_id))

    async def begin_card(self, conference_id: int, prompt_id: str, conversation_id: str) -> None:
        known = self.deliveries.get((conference_id, prompt_id))
        attempts = (known.attempts if known is not None else 0) + 1
        self.deliveries[(conference_id, prompt_id)] = CardDelivery(
            SENDING, conversation_id, "", attempts
        )

    async def drop_card(self, conference_id: int, prompt_id: str) -> None:
        known = self.deliveries.get((conference_id, prompt_id))
        if known is not None and known.state == SENDING:
            del self.deliveries[(conference_id, prompt_id)]

    def _latest(self, match: Any) -> dict[str, Any] | None:
        rows = sorted(
            (r for r in self.conversations.values() if match(r)), key=lambda r: -r["order"]
        )
        return rows[0]["reference"] if rows else None


class FixedLookup:
    """Every meeting is the one conference under test."""

    def __init__(self, conference_id: int | None) -> None:
        self.conference_id = conference_id

    async def conference_for_meeting(
        self, join_url: str | None, conversation_id: str
    ) -> int | None:
        return self.conference_id


class FakeConnector:
    """A Bot Connector service on loopback: records what the bot sends and updates."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.updated: list[dict[str, Any]] = []
        # What the next sends meet, in order: "refuse" (403), "fail" (503 before anything
        # is shown) or "lost" (shown, then a 504): None is a normal send.
        self.faults: list[str | None] = []
        self._ids = itertools.count(1)
        self.url = ""

    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards sent, in order."""
        return [
            attachment["content"]
            for activity in self.sent
            for attachment in activity.get("attachments") or []
        ]

    async def _post(self, request: web.Request) -> web.Response:
        fault = self.faults.pop(0) if self.faults else None
        if fault == "refuse":  # Teams turns it down: nothing is shown
            return web.json_response({"error": {"code": "Forbidden"}}, status=403)
        if fault == "fail":  # Teams fails before showing it
            return web.json_response({"error": {"code": "ServiceError"}}, status=503)
        self.sent.append(await request.json())
        if fault == "lost":  # shown to the chair, but the answer says it failed
            return web.json_response({"error": {"code": "GatewayTimeout"}}, status=504)
        return web.json_response({"id": f"activity-{next(self._ids)}"})

    async def _put(self, request: web.Request) -> web.Response:
        self.updated.append(await request.json())
        return web.json_response({"id": request.match_info["activity"]})

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeConnector]:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._put)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        self.url = str(server.make_url("/")).rstrip("/") + "/"
        try:
            yield self
        finally:
            await server.close()


def activity(
    service_url: str,
    conversation_id: str,
    *,
    kind: str = "message",
    personal: bool = True,
    user: str = "chair-aad-1",
    expect_replies: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """An activity as Teams would post it, from a fictional user."""
    body: dict[str, Any] = {
        "type": kind,
        "id": f"incoming-{conversation_id}-{kind}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{user}", "aadObjectId": user, "name": "A Chair"},
        "recipient": {"id": "28:confbot", "name": "confbot"},
        "conversation": {
            "id": conversation_id,
            "conversationType": "personal" if personal else "groupChat",
        },
        "locale": "en-GB",
    }
    if expect_replies:
        body["deliveryMode"] = "expectReplies"
    body.update(extra)
    return body
