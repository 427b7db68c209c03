"""The day a forwarded request was itself written, from the "Sent:" line above it.

A social worker writes "the strategy discussion was this afternoon" on Friday; the duty
team forwards it on Monday. Relative days count back from the Friday: the "Sent:" or
"Date:" line of the quoted message that holds the words.
"""

from __future__ import annotations

import re
from datetime import date

from bot.intake.field_values import Fields
from bot.intake.fields import RELATIVE_DAY, FieldError, find_date

_SENT = re.compile(
    r"^\s*>?\s*\**(?:sent|date)\**\s*:\s*(.{6,80}?)\s*$", re.IGNORECASE | re.MULTILINE
)


def written_on(fields: Fields, body_text: str) -> date | None:
    """The day the message holding the strategy date's words was sent, if it was quoted
    below a "Sent:" line and says the day relatively; else None (the email's own date)."""
    said = [v.text for v in fields.values.get(("", 0, "strategy_date"), [])]
    if not said or not RELATIVE_DAY.search(said[0]):
        return None
    at = body_text.find(said[0][:60])
    if at < 0:
        return None
    for m in reversed(list(_SENT.finditer(body_text, 0, at))):
        try:
            return find_date(m.group(1))  # "Friday, December 4, 2026 5:15 PM", "04/12/2026"
        except FieldError:
            continue
    return None
