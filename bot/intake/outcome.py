"""What the request parser makes of one message: a request, an attachment, or a triage item."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.request import ConferenceRequest


@dataclass(frozen=True, slots=True)
class Parsed:
    """A complete conference request; warnings are for the admin team, not blockers."""

    request: ConferenceRequest
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AttachToConference:
    """The message belongs to an existing conference, named by its CP-YYYY-NNNNN reference."""

    reference: str
    kind: str  # "agency_report", "confidential_request" or "reply"
    restricted: bool  # police or third-party material: never emailed, never in a parents' pack


@dataclass(frozen=True, slots=True)
class Triage:
    """A person must read the message; each reason says what was wrong and where."""

    reasons: tuple[str, ...]


ParseOutcome = Parsed | AttachToConference | Triage

# The kinds AttachToConference carries, so callers can match on them without typos.
AGENCY_REPORT = "agency_report"
CONFIDENTIAL_REQUEST = "confidential_request"
REPLY = "reply"
