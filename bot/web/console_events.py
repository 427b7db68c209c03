"""The chair console as a PromptChannel: a hub that pushes to open consoles, on any replica.

Each open console holds one ``asyncio.Queue``; the run-sheet service's sends and answers
are put on the queues of that conference's consoles at once, with no polling. A message
holds ids only, never text, names or numbers: the page fetches what it shows itself.

With replicas, a console may be open on one replica while the run sheet changes on another.
The hub then also hands each message to a relay (PostgreSQL's NOTIFY, ``bot.store.signals``)
and puts what the relay brings from the other replicas on its own consoles' queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from bot.core.runsheet.model import Prompt

logger = logging.getLogger(__name__)

QUEUE_SIZE = 64  # a console further behind than this has lost nothing: it refetches the page
REFETCH = "refetch"  # a kind with no prompt: something may have been missed, fetch it all


class Relay(Protocol):
    """Carries a hub's messages to the other replicas' hubs."""

    def publish(self, payload: str) -> None:
        """Send ``payload`` to every replica's hub, this one's included."""


@dataclass(frozen=True, slots=True)
class ConsoleMessage:
    """Something changed on a conference's console: a new prompt, or one now answered."""

    conference_id: int
    kind: str  # "prompt" | "answered"
    prompt_id: str
    sent: float  # time.monotonic() when published, to measure delivery

    def as_sse(self) -> bytes:
        """The message as one server-sent event."""
        data = json.dumps({"prompt": self.prompt_id})
        return f"event: {self.kind}\ndata: {data}\n\n".encode()


class ConsoleHub:
    """Per-conference subscriber queues; a PromptChannel for the run-sheet service."""

    def __init__(self, relay: Relay | None = None) -> None:
        self._subscribers: dict[int, set[asyncio.Queue[ConsoleMessage | None]]] = {}
        self.closed = False
        self.relay = relay
        self.origin = uuid.uuid4().hex  # the relay brings our own messages back: skip those

    @contextlib.contextmanager
    def subscribe(self, conference_id: int) -> Iterator[asyncio.Queue[ConsoleMessage | None]]:
        """A queue of this conference's changes while the block runs; None means "stop"."""
        queue: asyncio.Queue[ConsoleMessage | None] = asyncio.Queue(QUEUE_SIZE)
        if self.closed:
            queue.put_nowait(None)
        self._subscribers.setdefault(conference_id, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._subscribers.get(conference_id, set())
            queues.discard(queue)
            if not queues:
                self._subscribers.pop(conference_id, None)

    def subscribers(self, conference_id: int) -> int:
        """How many consoles are open on a conference."""
        return len(self._subscribers.get(conference_id, ()))

    async def send_prompt(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        """Tell the conference's open consoles a prompt has arrived."""
        self._tell(ConsoleMessage(conference_id, "prompt", prompt.id, time.monotonic()))

    async def mark_answered(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        """Tell the conference's open consoles a prompt was answered (here or in Teams)."""
        self._tell(ConsoleMessage(conference_id, "answered", prompt.id, time.monotonic()))

    def _tell(self, message: ConsoleMessage) -> None:
        self.publish(message)
        if self.relay is not None:
            payload = {
                "origin": self.origin,
                "conference": message.conference_id,
                "kind": message.kind,
                "prompt": message.prompt_id,
            }
            self.relay.publish(json.dumps(payload))

    def receive(self, payload: str) -> None:
        """A message the relay brought from another replica: put it on our consoles' queues."""
        try:
            data = json.loads(payload)
            if data["origin"] == self.origin:
                return
            message = ConsoleMessage(
                int(data["conference"]), str(data["kind"]), str(data["prompt"]), time.monotonic()
            )
        except (ValueError, KeyError, TypeError):
            logger.warning("ignored a console message from another replica that is not one")
            return
        self.publish(message)

    def refetch_all(self) -> None:
        """Have every open console fetch its page again: the relay may have missed something."""
        for conference_id in list(self._subscribers):
            self.publish(ConsoleMessage(conference_id, REFETCH, "", time.monotonic()))

    def publish(self, message: ConsoleMessage) -> None:
        """Put ``message`` on every queue of its conference without waiting."""
        for queue in list(self._subscribers.get(message.conference_id, ())):
            if queue.full():
                # The oldest change is dropped, not the newest: the page refetches it all anyway.
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(message)

    def close(self) -> None:
        """End every open stream at once, so shutdown is not held up."""
        self.closed = True
        for queues in self._subscribers.values():
            for queue in queues:
                if queue.full():
                    with contextlib.suppress(asyncio.QueueEmpty):
                        queue.get_nowait()
                queue.put_nowait(None)


CONSOLE_HUB_KEY: web.AppKey[ConsoleHub] = web.AppKey("console_hub", ConsoleHub)
