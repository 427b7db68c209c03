"""One job dispatcher: every durable job is run by the handler registered for its action.

A handler gets the conference and the job. The dispatcher runs each job at most once
(a "done" line on the timeline closes it), records every failure for a person to retry,
and on taking the lead makes the job store match every live conference's timeline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from bot.core.conference import Conference, ConferenceState
from bot.core.errors import RemoteServiceError
from bot.runtime.context import SYSTEM, Runtime
from bot.runtime.guard import DistributionRefused
from bot.runtime.outbox import MailNotSent
from bot.runtime.planning import planned_jobs
from bot.runtime.scheduler import Job

logger = logging.getLogger(__name__)


def failure_words(err: Exception) -> str:
    """Why a job failed, for the timeline and the status page: no addresses or Graph's text."""
    if isinstance(err, MailNotSent):
        return f"{err}; each one is on the timeline"
    status = getattr(err, "status", None)
    if isinstance(err, RemoteServiceError) and isinstance(status, int) and status:
        return f"Graph answered {status}"
    if isinstance(err, RemoteServiceError):
        return f"no answer from Graph ({type(err).__name__})"
    return type(err).__name__


# Timeline kinds that close a job for good: reconciling never runs it again.
SETTLED = ("done", "missed", "failed", "blocked")
LATE_AFTER = timedelta(seconds=60)  # a job this far past its time is marked late
# How far back reconciling looks for a concluded conference's aftercare: longer than any
# playbook gives a follow-up, so only the aftercare of long-settled conferences is skipped.
AFTERCARE_LOOKBACK = timedelta(days=120)

Handler = Callable[[Conference, Job], Awaitable[None]]
# The jobs a concluded conference still needs (its aftercare), whether or not they are stored.
Planner = Callable[[Conference], Sequence[Job]]


class UnknownJob(LookupError):
    """No handler is registered for a job's action."""


class JobDispatcher:
    """Runs the jobs the use cases scheduled, through a registry of handlers."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.handlers: dict[str, Handler] = {}
        self._after_conclusion: set[str] = set()
        self._planners: list[tuple[Planner, tuple[str, ...]]] = []
        self._restorers: list[Callable[[], Awaitable[object]]] = []

    def register(self, action: str, handler: Handler, *, after_conclusion: bool = False) -> None:
        """Let ``handler`` run jobs with ``action``; some run after the conference has ended."""
        if action in self.handlers:
            raise ValueError(f"a handler for job action {action!r} is already registered")
        self.handlers[action] = handler
        if after_conclusion:
            self._after_conclusion.add(action)

    def plan_after_conclusion(self, planner: Planner, marked_by: Sequence[str]) -> None:
        """Let ``planner`` name the jobs a concluded conference still needs, for reconciling.

        A concluded conference has no timeline jobs left, so reconciling would not see its
        aftercare; its service says which jobs it scheduled. Only conferences with a
        timeline line of a ``marked_by`` kind (written as the jobs are scheduled) within
        ``AFTERCARE_LOOKBACK`` are asked: planning every conference ever held would slow
        each takeover more every year.
        """
        self._planners.append((planner, tuple(marked_by)))

    def restore_on_lead(self, restore: Callable[[], Awaitable[object]]) -> None:
        """Let a service put back jobs it keeps track of itself, each time this replica leads."""
        self._restorers.append(restore)

    async def run(self, job: Job) -> None:
        """Run one job at most once; failures land on the timeline, never silently."""
        store = self.rt.store
        if store.has_step(job.conference_id, job.id, "done"):
            return
        conference = store.get_conference(job.conference_id)
        if conference.state is ConferenceState.CANCELLED or (
            conference.state is ConferenceState.CONCLUDED
            and job.action not in self._after_conclusion
        ):
            return
        lateness = self.rt.clock() - job.run_at
        if lateness > LATE_AFTER:
            self._record(job, "late_job", seconds=int(lateness.total_seconds()))
        handler = self.handlers.get(job.action)
        if handler is None:
            self._record(job, "failed", reason=f"no handler for {job.action}", action=job.action)
            return
        try:
            await handler(conference, job)
        except DistributionRefused as err:
            self._record(job, "blocked", reason=str(err))
            return
        except Exception as err:  # record every failure for a person to retry
            logger.exception(
                "job failed", extra={"conference_id": job.conference_id, "step_id": job.step_id}
            )
            self._record(job, "failed", reason=failure_words(err), action=job.action)
            return
        self._record(job, "done", action=job.action)

    async def reconcile(self, grace: timedelta) -> int:
        """Make the job store match every live conference's timeline; returns jobs run now.

        Run when this replica becomes the leader. APScheduler drops a date job from its
        store as it hands the job over, so a crash at that moment loses it; here such a job
        is found by its missing "done" and run (within the grace period) or raised as missed.
        A concluded conference's aftercare jobs were due when they were scheduled, so a lost
        one runs now, however late. Planning every conference is CPU work, so it runs off
        the event loop.
        """
        for restore in self._restorers:
            await restore()
        add, due, missed = await asyncio.to_thread(self._differences, grace)
        for job in add:
            self.rt.scheduler.add(job)
        for job in due:
            await self.run(job)
        for job in missed:
            self.missed(job)
        return len(due)

    def _differences(self, grace: timedelta) -> tuple[list[Job], list[Job], list[Job]]:
        now = self.rt.clock()
        store = self.rt.store
        stored = {j.id for j in self.rt.scheduler.pending()}
        add: list[Job] = []
        due: list[Job] = []
        missed: list[Job] = []
        live = [
            *store.list_conferences(state=ConferenceState.SCHEDULED, limit=100_000),
            *store.list_conferences(state=ConferenceState.IN_MEETING, limit=100_000),
        ]
        for listed in live:
            try:
                plan = self.rt.timeline(listed)
            except Exception:  # a conference the playbook can no longer plan: leave it be
                logger.warning("cannot plan conference", extra={"conference_id": listed.id})
                continue
            settled = store.step_ids(listed.id, SETTLED)
            for job in planned_jobs(listed.id, plan):
                if job.id in stored or job.id in settled:
                    continue
                if job.run_at > now:
                    add.append(job)
                elif now - job.run_at <= grace:
                    due.append(job)
                else:
                    missed.append(job)
        due += self._lost_aftercare(stored)
        return add, due, missed

    def _lost_aftercare(self, stored: set[str]) -> list[Job]:
        """Aftercare jobs of concluded conferences, neither stored nor settled: lost ones."""
        if not self._planners:
            return []
        store = self.rt.store
        since = self.rt.clock() - AFTERCARE_LOOKBACK
        lost: list[Job] = []
        for planner, kinds in self._planners:
            for conference_id in store.conferences_with(kinds, since, ConferenceState.CONCLUDED):
                try:
                    jobs = planner(store.get_conference(conference_id))
                except Exception:  # one conference that cannot be planned must not stop the rest
                    logger.warning("cannot plan aftercare", extra={"conference_id": conference_id})
                    continue
                if not jobs:
                    continue
                settled = store.step_ids(conference_id, SETTLED)
                lost += [j for j in jobs if j.id not in stored and j.id not in settled]
        return lost

    def missed(self, job: Job) -> None:
        """A job past its grace period: an alert on the timeline, never a silent drop."""
        self._record(job, "missed", action=job.action, due=job.run_at.isoformat())

    def _record(self, job: Job, kind: str, **detail: object) -> None:
        self.rt.record(job.conference_id, SYSTEM, kind, step_id=job.id, **detail)
