"""What the request parser makes of one message: a request, an attachment, or a triage item."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.request import ConferenceRequest
from bot.intake.draft import Draft, Problem


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
    """A person must read the message; each reason says what was wrong and where.

    ``draft`` keeps everything that was read (see ``bot.intake.draft``), and ``problems``
    names the draft's fields to fix, so the triage page can pre-fill its form.
    """

    reasons: tuple[str, ...]
    draft: Draft | None = None
    problems: tuple[Problem, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)  # draft path -> where it was read


@dataclass(frozen=True, slots=True)
class ThresholdDiscussion:
    """A social worker asks the duty chair whether a conference is needed (not a request yet).

    ``draft`` holds what was read (the social worker, the child, the family), so the duty
    chair can turn it into an ICPC request with one action.
    """

    draft: Draft
    summary: str  # the social worker's own words, as the duty chair needs them


ParseOutcome = Parsed | AttachToConference | Triage | ThresholdDiscussion

# The kinds AttachToConference carries, so callers can match on them without typos.
AGENCY_REPORT = "agency_report"
CONFIDENTIAL_REQUEST = "confidential_request"
REPLY = "reply"
