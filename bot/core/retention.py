"""How long each kind of record is kept, and when a conference may not be purged at all.

Pure. The store counts and purges by these rules (``bot.store.retention``); the settings
give the periods (``CONFBOT_RETENTION__*``) and the README justifies each default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

LEGAL_HOLD = "legal_hold"  # the conference fact an admin's hold is kept under


class RecordKind(StrEnum):
    """The kinds of record confbot keeps for a while and then purges, each on its own clock."""

    REQUEST_EMAIL = "request_email"  # body and subject, once it became a conference or triage ended
    TRIAGE_ITEM = "triage_item"  # a resolved triage item, with what was read from the email
    CONFERENCE = "conference"  # a concluded or cancelled conference: people, timeline, documents
    OUTBOX = "outbox"  # the record of a message sent, not about a live conference
    WEB_SESSION = "web_session"  # a signed-in browser, after it expired
    SIGN_IN_CODE = "sign_in_code"  # a one-time sign-in code, after it was used or expired
    VIEW_AUDIT = "view_audit"  # who viewed a conference: kept longer than what it audits


# What each kind's clock starts from, in words for `confbot retention` and the README.
STARTS_FROM = {
    RecordKind.REQUEST_EMAIL: "after it became a conference or its triage item was resolved",
    RecordKind.TRIAGE_ITEM: "after it was resolved",
    RecordKind.CONFERENCE: "after its last change, once concluded or cancelled",
    RecordKind.OUTBOX: "after the message was sent",
    RecordKind.WEB_SESSION: "after it expired",
    RecordKind.SIGN_IN_CODE: "after it expired",
    RecordKind.VIEW_AUDIT: "after the view",
}


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """A period for every kind of record."""

    periods: Mapping[RecordKind, timedelta]

    def cutoff(self, kind: RecordKind, now: datetime) -> datetime:
        """Records of ``kind`` whose clock started before this are due."""
        return now - self.periods[kind]


@dataclass(frozen=True, slots=True)
class LegalHold:
    """An admin's hold on a conference: never purged, never erased, while it stands."""

    reason: str
    by: str
    at: datetime

    def as_fact(self) -> dict[str, str]:
        """The hold as stored in the conference's facts."""
        return {"reason": self.reason, "by": self.by, "at": self.at.isoformat()}


def legal_hold(facts: Mapping[str, Any]) -> LegalHold | None:
    """The hold recorded in a conference's facts, if one stands."""
    value = facts.get(LEGAL_HOLD)
    if not isinstance(value, Mapping) or not value.get("reason"):
        return None
    return LegalHold(
        reason=str(value["reason"]),
        by=str(value.get("by", "")),
        at=datetime.fromisoformat(str(value["at"])),
    )


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """How many records of each kind are (or were) due: counts only, naming no person."""

    counts: Mapping[RecordKind, int]
    held: int = 0  # finished conferences past their time, kept by a legal hold
    following_up: int = 0  # finished conferences past their time, kept for an open follow-up

    @property
    def total(self) -> int:
        """Every record due, of every kind."""
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """One line per kind, for the command line and the logs."""
        out = [f"{kind.value}: {self.counts.get(kind, 0)}" for kind in RecordKind]
        out.append(f"kept under a legal hold: {self.held} conference(s)")
        out.append(f"kept for an open follow-up: {self.following_up} conference(s)")
        return out
