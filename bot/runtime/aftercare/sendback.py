"""Sending draft minutes back to the chair and minute taker with comments, before approval."""

from __future__ import annotations

from bot.core.actions import APPROVE_MINUTES, Actor
from bot.core.errors import ActionRefused, InvalidInput
from bot.core.minutes.progress import MINUTES_STEP, SENT_BACK
from bot.runtime.context import Runtime

MAX_COMMENTS = 5000  # characters: a page of comments, not a second set of minutes


def send_back(rt: Runtime, conference_id: int, *, user: str, role: str, comments: str) -> None:
    """Whoever may approve the minutes may instead send them back, saying what to change."""
    conference = rt.store.get_conference(conference_id)
    rt.require(conference, APPROVE_MINUTES, Actor(user, role))
    if rt.store.has_step(conference_id, MINUTES_STEP, "minutes_approved"):
        raise ActionRefused("the minutes are approved already, so they cannot be sent back")
    words = " ".join(comments.split())
    if not words:
        raise InvalidInput("Say what needs changing before sending the minutes back.")
    rt.record(
        conference_id,
        user,
        SENT_BACK,
        step_id=MINUTES_STEP,
        role=role,
        comments=words[:MAX_COMMENTS],
    )
