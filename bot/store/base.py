"""What every aggregate's store holds: the database and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.store.database import Database
from bot.store.mapping import utcnow


class Store:
    """Reads and writes over one Database. Methods are synchronous and short."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = database
        self.clock = clock
