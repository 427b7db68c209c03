"""Late and short-notice bookings: allowed only as the playbook says, with reason and agreement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.core.playbook.model import LateBooking
from bot.core.timeline.model import ConferenceFacts, Step, StepKind, TimelineError

# Report deadlines a booking can already have missed when it is made.
SHARING = frozenset({StepKind.SHARE_DOCUMENTS, StepKind.SHARE_VERBALLY})


def first_missed(steps: Iterable[Step], now: datetime | None) -> Step | None:
    """The first report-sharing step whose deadline is already past at ``now``."""
    if now is None:
        return None
    return next((s for s in steps if s.kind in SHARING and s.due < now), None)


def late_warning(policy: LateBooking, facts: ConferenceFacts, missed: str, otherwise: str) -> str:
    """The warning for an agreed late booking, or a TimelineError saying what to do instead.

    ``missed`` names the deadline in words, never by its internal id; ``otherwise`` is the
    other way out, such as "choose an earlier date".
    """
    if not policy.allowed:
        raise TimelineError(
            f"{missed}. This playbook does not allow late bookings, so {otherwise}."
        )
    if not facts.late_reason or not facts.late_agreed_by:
        raise TimelineError(
            f"{missed}. To go ahead anyway, record the reason for the delay and who agreed it "
            f"({policy.agreed_by} must agree); otherwise {otherwise}."
        )
    return f"{missed}. Reason recorded: {facts.late_reason} (agreed by {facts.late_agreed_by})."
