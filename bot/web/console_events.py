"""The chair console as a PromptChannel: an in-process hub that pushes to open consoles.

Each open console holds one ``asyncio.Queue``; the run-sheet service's sends and answers
are put on the queues of that conference's consoles at once, with no polling. A message
holds ids only, never text, names or numbers: the page fetches what it shows itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

from aiohttp import web

from bot.core.runsheet.model import Prompt

QUEUE_SIZE = 64  # a console further behind than this has lost nothing: it refetches the page


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

    def __init__(self) -> None:
        self._subscribers: dict[int, set[asyncio.Queue[ConsoleMessage | None]]] = {}
        self.closed = False

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
        self.publish(ConsoleMessage(conference_id, "prompt", prompt.id, time.monotonic()))

    async def mark_answered(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        """Tell the conference's open consoles a prompt was answered (here or in Teams)."""
        self.publish(ConsoleMessage(conference_id, "answered", prompt.id, time.monotonic()))

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
