"""Who holds access: web sessions and API tokens as the store keeps them, and why a code fails.

Pure records. The secrets themselves (a session id, a sign-in code, a token) are never in
them: the store keeps only their hashes, and only the person given a secret ever sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

SESSION_LIFETIME = timedelta(hours=8)  # a working day, then sign in again
SIGN_IN_CODE_LIFETIME = timedelta(minutes=15)


class CodeRefusal(StrEnum):
    """Why a one-time sign-in code signs nobody in."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One signed-in browser, without its id."""

    user: str
    role: str
    started_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """One API token, without its secret: whom it acts for, and whether it still works."""

    id: int
    user: str
    role: str
    label: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the token still signs its owner in."""
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class ViewRecord:
    """One view of a conference: who, with which role, when, and what they opened."""

    at: datetime
    user: str
    role: str
    conference_id: int
    what: str  # page | console | events | api
