"""Counting and purging what the retention policy says is due, on SQLite and PostgreSQL alike.

The dry run and the purge choose records with the same queries, kind by kind, in the same
order, and no kind's purge changes what a later kind chooses: so the dry run's counts are
the purge's. A finished conference under a legal hold, or with a job still pending (an open
follow-up, a review request), is never chosen.

A request email's row is kept, emptied, after its body goes: its Graph message id is what
stops a mailbox resync from reading the same email again as a new request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, inspect, select, text, update
from sqlalchemy.orm import Session

from bot.core.conference import ConferenceState
from bot.core.errors import NotFound
from bot.core.retention import (
    LEGAL_HOLD,
    LegalHold,
    PurgeReport,
    RecordKind,
    RetentionPolicy,
    legal_hold,
)
from bot.store.access_models import SignInCodeRow, WebSessionRow
from bot.store.audit_models import ViewAuditRow
from bot.store.base import Store
from bot.store.models import (
    ChildCaseReferenceRow,
    ChildRow,
    ConferenceRequestRow,
    ConferenceRow,
    DocumentRow,
    OutboxDeliveryRow,
    OutboxRow,
    ParticipantRow,
    TimelineEntryRow,
    TriageItemRow,
)
from bot.store.teams_models import ConversationReferenceRow, PromptCardRow

PURGED = "purged"  # the body_type of a request email whose content has gone
FINISHED = (ConferenceState.CONCLUDED.value, ConferenceState.CANCELLED.value)
JOBS_TABLE = "confbot_jobs"  # APScheduler's job store (bot.runtime.durable)


@dataclass(frozen=True, slots=True)
class _Chosen:
    ids: list[int]
    held: int = 0
    following_up: int = 0


def conferences_with_pending_jobs(session: Session) -> set[int]:
    """Conferences with a job still in the job store: an open follow-up, a reminder, a review."""
    if not inspect(session.connection()).has_table(JOBS_TABLE):
        return set()
    pending: set[int] = set()
    for (job_id,) in session.execute(text(f"SELECT id FROM {JOBS_TABLE}")):  # noqa: S608
        head = str(job_id).partition(":")[0]
        if head.startswith("c") and head[1:].isdigit():
            pending.add(int(head[1:]))
    return pending


def held_conferences(session: Session) -> set[int]:
    """Conferences under a legal hold (kept in their facts: few, so read in Python)."""
    rows = session.execute(select(ConferenceRow.id, ConferenceRow.facts)).all()
    return {cid for cid, facts in rows if LEGAL_HOLD in (facts or {}) and legal_hold(facts)}


class RetentionStore(Store):
    """The retention purge: what is due by kind, and removing it."""

    def report(self, policy: RetentionPolicy) -> PurgeReport:
        """What a purge now would remove, by kind and count: the dry run."""
        now = self.clock()
        with self.db.session() as session:
            chosen = {kind: self._choose(session, kind, policy, now) for kind in RecordKind}
        return _report(chosen)

    def purge(self, policy: RetentionPolicy) -> PurgeReport:
        """Remove what is due, one kind after another, in one transaction."""
        now = self.clock()
        chosen: dict[RecordKind, _Chosen] = {}
        with self.db.session() as session:
            for kind in RecordKind:
                chosen[kind] = self._choose(session, kind, policy, now)
                _PURGES[kind](session, chosen[kind].ids)
        return _report(chosen)

    def _choose(
        self, session: Session, kind: RecordKind, policy: RetentionPolicy, now: datetime
    ) -> _Chosen:
        cutoff = policy.cutoff(kind, now)
        if kind is RecordKind.CONFERENCE:
            return _finished_conferences(session, cutoff)
        query = _CHOOSERS[kind](cutoff, held_conferences(session))
        return _Chosen(list(session.scalars(query)))


def _report(chosen: dict[RecordKind, _Chosen]) -> PurgeReport:
    conference = chosen[RecordKind.CONFERENCE]
    return PurgeReport(
        counts={kind: len(c.ids) for kind, c in chosen.items()},
        held=conference.held,
        following_up=conference.following_up,
    )


def _finished_conferences(session: Session, cutoff: datetime) -> _Chosen:
    candidates = list(
        session.scalars(
            select(ConferenceRow.id).where(
                ConferenceRow.state.in_(FINISHED), ConferenceRow.updated_at < cutoff
            )
        )
    )
    held = held_conferences(session)
    pending = conferences_with_pending_jobs(session) - held
    ids = [cid for cid in candidates if cid not in held and cid not in pending]
    return _Chosen(
        ids,
        held=sum(1 for cid in candidates if cid in held),
        following_up=sum(1 for cid in candidates if cid in pending),
    )


def _request_emails(cutoff: datetime, held: set[int]) -> Select[Any]:
    request = ConferenceRequestRow
    open_triage = exists().where(
        TriageItemRow.request_id == request.id, TriageItemRow.state == "open"
    )
    recent_triage = exists().where(
        TriageItemRow.request_id == request.id,
        TriageItemRow.state != "open",
        TriageItemRow.resolved_at >= cutoff,
    )
    query = select(request.id).where(
        request.body_type != PURGED,
        request.outcome != "pending",
        request.created_at < cutoff,
        ~open_triage,
        ~recent_triage,
    )
    if held:
        query = query.where((request.conference_id.is_(None)) | request.conference_id.not_in(held))
    return query.order_by(request.id)


def _triage_items(cutoff: datetime, _held: set[int]) -> Select[Any]:
    return select(TriageItemRow.id).where(
        TriageItemRow.state != "open", TriageItemRow.resolved_at < cutoff
    )


def _outbox(cutoff: datetime, _held: set[int]) -> Select[Any]:
    # A conference's own message records go with the conference; these belong to none.
    return select(OutboxRow.id).where(OutboxRow.conference_id.is_(None), OutboxRow.at < cutoff)


def _sessions(cutoff: datetime, _held: set[int]) -> Select[Any]:
    return select(WebSessionRow.id_hash).where(WebSessionRow.expires_at < cutoff)


def _codes(cutoff: datetime, _held: set[int]) -> Select[Any]:
    return select(SignInCodeRow.code_hash).where(SignInCodeRow.expires_at < cutoff)


def _views(cutoff: datetime, _held: set[int]) -> Select[Any]:
    return select(ViewAuditRow.id).where(ViewAuditRow.at < cutoff)


_CHOOSERS: dict[RecordKind, Callable[[datetime, set[int]], Select[Any]]] = {
    RecordKind.REQUEST_EMAIL: _request_emails,
    RecordKind.TRIAGE_ITEM: _triage_items,
    RecordKind.OUTBOX: _outbox,
    RecordKind.WEB_SESSION: _sessions,
    RecordKind.SIGN_IN_CODE: _codes,
    RecordKind.VIEW_AUDIT: _views,
}


def _empty_requests(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(
            update(ConferenceRequestRow)
            .where(ConferenceRequestRow.id.in_(ids))
            .values(body="", subject="", sender="", body_type=PURGED)
        )


def _delete_triage(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(delete(TriageItemRow).where(TriageItemRow.id.in_(ids)))


def _delete_conferences(session: Session, ids: Sequence[int]) -> None:
    """A conference and everything that is about it; its request email is kept, emptied."""
    if not ids:
        return
    children = select(ChildRow.id).where(ChildRow.conference_id.in_(ids))
    session.execute(
        delete(ChildCaseReferenceRow).where(ChildCaseReferenceRow.child_id.in_(children))
    )
    for table in (
        ChildRow,
        ParticipantRow,
        TimelineEntryRow,
        DocumentRow,
        OutboxRow,
        OutboxDeliveryRow,
        PromptCardRow,
    ):
        session.execute(delete(table).where(table.conference_id.in_(ids)))
    session.execute(
        update(ConversationReferenceRow)
        .where(ConversationReferenceRow.conference_id.in_(ids))
        .values(conference_id=None)
    )
    session.execute(
        update(ConferenceRequestRow)
        .where(ConferenceRequestRow.conference_id.in_(ids))
        .values(conference_id=None, body="", subject="", sender="", body_type=PURGED)
    )
    session.execute(delete(ConferenceRow).where(ConferenceRow.id.in_(ids)))


def _delete_outbox(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(delete(OutboxRow).where(OutboxRow.id.in_(ids)))


def _delete_sessions(session: Session, ids: Sequence[str]) -> None:
    if ids:
        session.execute(delete(WebSessionRow).where(WebSessionRow.id_hash.in_(ids)))


def _delete_codes(session: Session, ids: Sequence[str]) -> None:
    if ids:
        session.execute(delete(SignInCodeRow).where(SignInCodeRow.code_hash.in_(ids)))


def _delete_views(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(delete(ViewAuditRow).where(ViewAuditRow.id.in_(ids)))


_PURGES: dict[RecordKind, Callable[[Session, Any], None]] = {
    RecordKind.REQUEST_EMAIL: _empty_requests,
    RecordKind.TRIAGE_ITEM: _delete_triage,
    RecordKind.CONFERENCE: _delete_conferences,
    RecordKind.OUTBOX: _delete_outbox,
    RecordKind.WEB_SESSION: _delete_sessions,
    RecordKind.SIGN_IN_CODE: _delete_codes,
    RecordKind.VIEW_AUDIT: _delete_views,
}


class LegalHolds(Store):
    """An admin's legal holds on conferences, each set and released on the timeline."""

    def set_hold(self, conference_id: int, reason: str, by: str) -> LegalHold:
        """Hold a conference: it is never purged or erased until released."""
        hold = LegalHold(reason=reason, by=by, at=self.clock())
        self._change(conference_id, hold.as_fact(), by, "legal_hold_set", {"reason": reason})
        return hold

    def release_hold(self, conference_id: int, by: str) -> None:
        """Release a hold; the conference's retention clock runs again."""
        self._change(conference_id, None, by, "legal_hold_released", {})

    def holds(self) -> list[tuple[int, str, LegalHold]]:
        """Every hold: conference id, reference and the hold."""
        with self.db.session() as session:
            rows = session.execute(
                select(ConferenceRow.id, ConferenceRow.reference, ConferenceRow.facts)
            ).all()
        out = []
        for cid, reference, facts in rows:
            hold = legal_hold(facts or {})
            if hold is not None:
                out.append((cid, reference, hold))
        return out

    def _change(
        self,
        conference_id: int,
        fact: dict[str, str] | None,
        by: str,
        kind: str,
        detail: dict[str, Any],
    ) -> None:
        now = self.clock()
        with self.db.session() as session:
            row = session.get(ConferenceRow, conference_id)
            if row is None:
                raise NotFound("conference", conference_id)
            facts = dict(row.facts or {})
            if fact is None:
                facts.pop(LEGAL_HOLD, None)
            else:
                facts[LEGAL_HOLD] = fact
            row.facts = facts
            row.updated_at = now
            session.add(
                TimelineEntryRow(
                    conference_id=conference_id, at=now, actor=by, kind=kind, detail=detail
                )
            )
