"""Which conference a Teams meeting belongs to: match the meeting's chat thread id.

A Teams join URL carries the meeting chat's thread id, percent-encoded
(``.../meetup-join/19%3ameeting_...%40thread.v2/0``), and events from inside the meeting
arrive in a conversation with that same id. So one id links the two.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote

_THREAD = re.compile(r"19:[^/?#\s]+@thread\.(?:v2|skype|tacv2)", re.IGNORECASE)

Candidates = Callable[[], Iterable[tuple[int, str | None]]]


def meeting_thread_id(text: str | None) -> str | None:
    """The ``19:...@thread.v2`` id in a join URL or conversation id, if there is one."""
    if not text:
        return None
    found = _THREAD.search(unquote(text))
    return found.group(0).lower() if found else None


class JoinUrlLookup:
    """ConferenceLookup over (conference id, join URL) pairs, read in a thread."""

    def __init__(self, candidates: Candidates) -> None:
        self._candidates = candidates

    async def conference_for_meeting(
        self, join_url: str | None, conversation_id: str
    ) -> int | None:
        """The conference whose join URL names this meeting's thread."""
        wanted = {t for t in (meeting_thread_id(join_url), meeting_thread_id(conversation_id)) if t}
        if not wanted:
            return None
        for conference_id, url in await asyncio.to_thread(lambda: list(self._candidates())):
            if meeting_thread_id(url) in wanted:
                return conference_id
        return None
