"""Where one Teams prompt card's delivery stands, as the store keeps it and Teams reads it."""

from __future__ import annotations

from dataclasses import dataclass

SENDING, SENT = "sending", "sent"
# Timeline kinds of a prompt's delivery, which the status page reads.
PROMPT_FAILED_KIND = "prompt_failed"  # not delivered; retried, until a "sent" line
PROMPT_DUPLICATE_KIND = "prompt_duplicate"  # sent again after a try with no known outcome


@dataclass(frozen=True, slots=True)
class CardDelivery:
    """One prompt card's delivery: ``sending`` means an attempt's outcome was never learnt."""

    state: str  # SENDING or SENT
    conversation_id: str
    activity_id: str  # "" when Teams gave none, or none yet
    attempts: int
