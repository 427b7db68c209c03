"""The few ``$filter`` clauses on messages that the sandbox understands, as Graph reads them.

Graph finds a message by a single-value extended property with
``singleValueExtendedProperties/Any(ep: ep/id eq '{id}' and ep/value eq '{value}')``
(the id's Name part matched case-sensitively, the value case-insensitively), or by
``internetMessageId eq '{id}'``. Anything else is refused with Graph's 400, so a query the
sandbox would get wrong fails loudly instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graph.sandbox.state import GraphFault

_QUOTED = r"'((?:[^']|'')*)'"
_PROPERTY = re.compile(
    r"^\s*singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id\s+eq\s+"
    + _QUOTED
    + r"\s+and\s+\1/value\s+eq\s+"
    + _QUOTED
    + r"\s*\)\s*$",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"^\s*internetMessageId\s+eq\s+" + _QUOTED + r"\s*$", re.IGNORECASE)
_ID_PARTS = re.compile(r"^(\w+)\s+(\{[0-9a-fA-F-]+\})\s+Name\s+(.+)$")

Predicate = Callable[[dict[str, Any]], bool]


def _unquote(text: str) -> str:
    return text.replace("''", "'")


def _same_property_id(stored: str, wanted: str) -> bool:
    """Type and GUID match case-insensitively; the Name part exactly, as Exchange does."""
    a, b = _ID_PARTS.match(stored.strip()), _ID_PARTS.match(wanted.strip())
    if a is None or b is None:
        return stored.strip().lower() == wanted.strip().lower()
    return (
        a.group(1).lower() == b.group(1).lower()
        and a.group(2).lower() == b.group(2).lower()
        and a.group(3) == b.group(3)
    )


def message_filter(text: str | None) -> Predicate:
    """The predicate for a message ``$filter``; no filter: every message."""
    if not text:
        return lambda _message: True
    if match := _PROPERTY.match(text):
        wanted_id, wanted_value = _unquote(match.group(2)), _unquote(match.group(3)).casefold()

        def has_property(message: dict[str, Any]) -> bool:
            return any(
                _same_property_id(str(p.get("id", "")), wanted_id)
                and str(p.get("value", "")).casefold() == wanted_value
                for p in message.get("singleValueExtendedProperties") or []
            )

        return has_property
    if match := _MESSAGE_ID.match(text):
        wanted = _unquote(match.group(1))
        return lambda message: message.get("internetMessageId") == wanted
    raise GraphFault(400, "BadRequest", "Invalid filter clause.")
