"""The status page's reads of what went wrong: failed actions, and prompts perhaps shown twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from bot.core.cards import PROMPT_DUPLICATE_KIND, PROMPT_FAILED_KIND
from bot.store.database import Database
from bot.store.mapping import aware
from bot.store.models import ConferenceRow, TimelineEntryRow

# Timeline kinds the runtime writes when a step succeeds (``done``) or fails (``failed``).
DONE_KINDS: tuple[str, ...] = ("done", "step_done", "completed", "sent")
FAILED_KIND = "failed"
# What the status page lists as failed actions until the same step succeeds: failures, an
# email being retried, a message the distribution guard blocked, a prompt not delivered.
FAILED_ACTION_KINDS: tuple[str, ...] = (FAILED_KIND, "email_retry", "blocked", PROMPT_FAILED_KIND)


@dataclass(frozen=True, slots=True)
class FailedAction:
    """A step that failed and has not succeeded since."""

    entry_id: int
    conference_id: int
    reference: str
    step_id: str | None
    at: datetime
    detail: dict[str, Any]
    kind: str = FAILED_KIND  # one of FAILED_ACTION_KINDS


@dataclass(frozen=True, slots=True)
class Duplicates:
    """A conference's Teams prompts that may have been shown to the chair twice."""

    conference_id: int
    reference: str
    count: int


class FailureQueries:
    """Reads for the status page's failures. Methods are synchronous: call them in a thread."""

    db: Database

    def failed_actions(self, limit: int = 50, chair: str | None = None) -> list[FailedAction]:
        """Failed steps, newest first, leaving out those that have succeeded since."""
        later = aliased(TimelineEntryRow)
        succeeded = exists().where(
            and_(
                later.conference_id == TimelineEntryRow.conference_id,
                later.step_id == TimelineEntryRow.step_id,
                later.kind.in_(DONE_KINDS),
                later.at >= TimelineEntryRow.at,
            )
        )
        # A retry, then its final failure, is one action: only the newest line is listed.
        newer = aliased(TimelineEntryRow)
        superseded = exists().where(
            and_(
                newer.conference_id == TimelineEntryRow.conference_id,
                newer.step_id == TimelineEntryRow.step_id,
                newer.kind.in_(FAILED_ACTION_KINDS),
                newer.id > TimelineEntryRow.id,
            )
        )
        query = (
            select(TimelineEntryRow, ConferenceRow.reference)
            .join(ConferenceRow, ConferenceRow.id == TimelineEntryRow.conference_id)
            .where(TimelineEntryRow.kind.in_(FAILED_ACTION_KINDS))
            .where(~succeeded)
            .where(~superseded)
            .order_by(TimelineEntryRow.at.desc(), TimelineEntryRow.id.desc())
        )
        if chair is not None:
            query = query.where(func.lower(ConferenceRow.chair) == chair.lower())
        with self.db.session() as session:
            return [
                FailedAction(
                    entry_id=entry.id,
                    conference_id=entry.conference_id,
                    reference=reference,
                    step_id=entry.step_id,
                    at=aware(entry.at) or entry.at,
                    detail=dict(entry.detail or {}),
                    kind=entry.kind,
                )
                for entry, reference in session.execute(query.limit(limit)).all()
            ]

    def duplicate_prompts(self, since: datetime, limit: int = 20) -> list[Duplicates]:
        """Conferences whose chair may have seen a Teams prompt twice since ``since``."""
        count = func.count(TimelineEntryRow.id)
        query = (
            select(TimelineEntryRow.conference_id, ConferenceRow.reference, count)
            .join(ConferenceRow, ConferenceRow.id == TimelineEntryRow.conference_id)
            .where(TimelineEntryRow.kind == PROMPT_DUPLICATE_KIND)
            .where(TimelineEntryRow.at >= since)
            .group_by(TimelineEntryRow.conference_id, ConferenceRow.reference)
            .order_by(count.desc(), TimelineEntryRow.conference_id)
            .limit(limit)
        )
        with self.db.session() as session:
            return [Duplicates(cid, ref, n) for cid, ref, n in session.execute(query).all()]
