"""The run sheet's input journal: replaying it rebuilds the same state, for durable runs.

Only calls from outside are written down (a join made by a "parent joined" answer is not),
so a replay makes each internal call exactly once. Entries are plain JSON-ready dicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

Entry = dict[str, str | None]


class Journal:
    """The outside calls made on one run sheet, in order."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._depth = 0

    @contextmanager
    def call(self, name: str, at: datetime, **values: str | None) -> Iterator[None]:
        """Write down ``name`` once it has succeeded, unless it is a call from inside."""
        outermost = self._depth == 0
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if outermost:
            self.entries.append({"call": name, "at": at.isoformat(), **values})
