"""The review conference: a new request at the agreed date, or the statutory default."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.conference import Conference, ConferenceState, ConferenceType
from bot.core.durations import parse_duration
from bot.core.minutes.model import Decisions
from bot.core.playbook.model import FollowUp
from bot.core.workdays import WorkingCalendar, to_london
from bot.runtime.aftercare.records import minutes_input
from bot.runtime.context import SYSTEM, Runtime
from bot.store.repository import NewChild, NewParticipant

REVIEW_REQUESTED = "review_requested"
# Working Together to Safeguard Children: the first review within 3 months of the initial
# conference, later reviews within 6 months of the one before.
STATUTORY = {
    ConferenceType.ICPC: parse_duration("3 months"),
    ConferenceType.TI: parse_duration("3 months"),
}
LATER = parse_duration("6 months")


class ReviewRequests:
    """Creates the review conference's request once, and notes it on both timelines."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.repo = runtime.store

    def review_date(
        self, conference: Conference, decisions: Decisions, rule: FollowUp | None
    ) -> tuple[date, str]:
        """The agreed review date, or the playbook's (else the statutory) default."""
        if decisions.review is not None:
            return decisions.review, "agreed"
        assert conference.start_at is not None
        playbook = self.rt.playbook(conference)
        calendar = WorkingCalendar(
            playbook.calendar.end_of_working_day, playbook.calendar.roll_back_off_working_days
        )
        within = (
            rule.within if rule is not None else STATUTORY.get(conference.conference_type, LATER)
        )
        end = conference.start_at + (conference.length or timedelta(hours=2))
        return to_london(calendar.due_after(end, within)).date(), "default"

    def existing(self, conference: Conference) -> Conference | None:
        """A review already requested for this conference (a crash after creating it)."""
        for listed in self.repo.list_conferences(limit=1000):
            if listed.facts.get("previous_reference") == conference.reference:
                return listed
        return None

    async def request_review(
        self, conference: Conference, step_id: str, rule: FollowUp | None
    ) -> Conference | None:
        """Create the review's request (an RCPC, or the next LAC review), unless no plan."""
        if self.repo.has_step(conference.id, step_id, REVIEW_REQUESTED):
            return None
        plan = self.rt.timeline(conference)
        decisions = minutes_input(conference, self.repo.timeline(conference.id), plan).decisions
        if decisions.plan is False:
            # No child protection plan, so nothing to review.
            if not self.repo.has_step(conference.id, step_id, "review_not_needed"):
                self.repo.append_timeline(
                    conference.id, actor=SYSTEM, kind="review_not_needed", step_id=step_id
                )
            return None
        # A looked-after review's next review is another looked-after review.
        kind = (
            ConferenceType.LAC
            if conference.conference_type is ConferenceType.LAC
            else ConferenceType.RCPC
        )
        if kind not in self.rt.playbook(conference).conferences:
            self.repo.append_timeline(
                conference.id,
                actor=SYSTEM,
                kind="failed",
                step_id=step_id,
                detail={"reason": "this playbook has no review conference"},
            )
            return None
        due, basis = self.review_date(conference, decisions, rule)
        review = self.existing(conference) or self.repo.create_conference(
            playbook=conference.playbook,
            # The review runs under the playbook now in force, recorded as its own version.
            playbook_version=self.rt.playbooks.version(conference.playbook),
            mailbox=conference.mailbox,
            conference_type=kind,
            participants=[NewParticipant.copy_of(p) for p in conference.participants],
            children=[NewChild.copy_of(c) for c in conference.children],
            state=ConferenceState.REQUESTED,
            chair=conference.chair,
            facts={
                "previous_reference": conference.reference,
                "review_due": due.isoformat(),
                "review_date_basis": basis,
            },
        )
        self.repo.append_timeline(
            review.id,
            actor=SYSTEM,
            kind="requested_as_review",
            detail={"previous_reference": conference.reference, "review_due": due.isoformat()},
        )
        self.repo.append_timeline(
            conference.id,
            actor=SYSTEM,
            kind=REVIEW_REQUESTED,
            step_id=step_id,
            detail={"reference": review.reference, "review_due": due.isoformat(), "basis": basis},
        )
        return review
