"""Where a conference's minutes stand, read from its timeline: for the pages, not the runtime.

Not written yet, a draft (with its Word file in the library), sent back with comments,
approved, or sent. The runtime writes the lines; this only reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.conference import TimelineEntry

MINUTES_STEP = "aftercare.minutes"
SENT_BACK = "minutes_sent_back"


class MinutesState(StrEnum):
    """The minutes' state, as the pages name it."""

    NOT_WRITTEN = "not written yet"
    DRAFT = "draft"
    SENT_BACK = "sent back"
    APPROVED = "approved"
    SENT = "sent"


@dataclass(frozen=True, slots=True)
class SendBack:
    """The minutes sent back for changes: who, when, and what they asked for."""

    by: str
    at: datetime
    comments: str


@dataclass(frozen=True, slots=True)
class MinutesProgress:
    """The minutes' state, the Word file's address in the library, and any send-backs."""

    state: MinutesState
    url: str = ""
    sent_back: tuple[SendBack, ...] = ()
    approved_by: str = ""


def minutes_progress(entries: Sequence[TimelineEntry]) -> MinutesProgress:
    """Where the minutes stand after these timeline lines (oldest first)."""
    url, approved_by, sent = "", "", False
    uploaded_at: datetime | None = None
    backs: list[SendBack] = []
    for e in entries:
        if e.kind == "minutes_uploaded":
            link = str(e.detail.get("url") or "")
            # Only a web address is ever a link on a page.
            url = link if link.startswith(("https://", "http://")) else url
            uploaded_at = e.at
        elif e.kind == SENT_BACK:
            backs.append(SendBack(e.actor, e.at, str(e.detail.get("comments") or "")))
        elif e.kind == "minutes_approved":
            approved_by = e.actor
        elif e.kind == "followup_sent" and (e.step_id or "").startswith(f"{MINUTES_STEP}:"):
            sent = True
    if uploaded_at is None:
        return MinutesProgress(MinutesState.NOT_WRITTEN, sent_back=tuple(backs))
    if sent:
        state = MinutesState.SENT
    elif approved_by:
        state = MinutesState.APPROVED
    elif backs and backs[-1].at >= uploaded_at:
        state = MinutesState.SENT_BACK  # no new draft since
    else:
        state = MinutesState.DRAFT
    return MinutesProgress(state, url, tuple(backs), approved_by)
