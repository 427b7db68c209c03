"""Small messages between replicas over PostgreSQL's LISTEN/NOTIFY.

The chair console's live updates are pushed by the replica whose run sheet changed, but the
console may be open on another. Each replica listens on one channel on a connection of its
own and hands every payload to the console hub; a payload holds ids only, never text.

A notification is delivered only to sessions listening when it is sent, so after a lost
connection the listener reconnects and tells its hub to have every open console refetch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.store.database import Database

logger = logging.getLogger(__name__)

CONSOLE_CHANNEL = "confbot_console"
RECONNECT_AFTER = timedelta(seconds=1)  # doubled after each failed try, up to the cap
RECONNECT_CAP = timedelta(seconds=30)


class PostgresSignals:
    """Publishes payloads on one channel, and listens to it, on a shared PostgreSQL."""

    def __init__(self, database: Database, channel: str = CONSOLE_CHANNEL) -> None:
        self.database = database
        self.channel = channel
        self.listening = asyncio.Event()  # set while a LISTEN is in place

    def publish(self, payload: str) -> None:
        """Notify every listening replica, this one included; a failure is only logged."""
        try:
            with self.database.engine.connect() as connection:
                connection.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": self.channel, "payload": payload},
                )
                connection.commit()  # a notification leaves at commit
        except SQLAlchemyError:
            # The replica that changed the run sheet has told its own consoles already.
            logger.warning("could not tell the other replicas of a console change")

    async def listen(self, deliver: Callable[[str], None], reconnected: Callable[[], None]) -> None:
        """Hand each payload to ``deliver`` until cancelled; call ``reconnected`` after a gap."""
        wait = RECONNECT_AFTER
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo(), autocommit=True
                ) as connection:
                    await connection.execute(f'LISTEN "{self.channel}"')
                    self.listening.set()
                    wait = RECONNECT_AFTER
                    if not first:
                        reconnected()  # what was sent while we were away is not replayed
                    first = False
                    async for notification in connection.notifies():
                        deliver(notification.payload)
            except psycopg.Error as err:
                logger.warning("console updates from other replicas paused: %s", type(err).__name__)
            finally:
                self.listening.clear()
            first = False
            await asyncio.sleep(wait.total_seconds())
            wait = min(wait * 2, RECONNECT_CAP)

    def _conninfo(self) -> str:
        # psycopg itself takes the SQLAlchemy URL without its "+psycopg" driver name.
        return self.database.url.set(drivername="postgresql").render_as_string(hide_password=False)
