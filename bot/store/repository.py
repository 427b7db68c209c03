"""The repository: every read and write the service makes, returning bot.core records.

One class composed of a store per aggregate, so callers keep one object and one set of
method names while each aggregate's code lives in its own module.
"""

from __future__ import annotations

from bot.store.conferences import ConferenceStore
from bot.store.documents import DocumentStore
from bot.store.mapping import triage_item
from bot.store.records import NewChild, NewParticipant, StoredDocument, StoredRequest
from bot.store.requests import RequestStore
from bot.store.state import StateStore
from bot.store.timeline import TimelineStore

__all__ = [
    "NewChild",
    "NewParticipant",
    "Repository",
    "StoredDocument",
    "StoredRequest",
    "triage_item",
]


class Repository(ConferenceStore, TimelineStore, RequestStore, DocumentStore, StateStore):
    """Reads and writes over one Database. Methods are synchronous and short."""
