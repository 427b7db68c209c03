"""What a scheduled job does when it fires: remind, check, share a pack, or prompt the chair.

A job body only calls this use-case, and the use-case checks the timeline before any side
effect, so a job that fires twice (a restart mid-run, two replicas) acts once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.core.conference import Conference, ConferenceState, Role
from bot.core.mailbox import Attachment, OutgoingMail
from bot.core.playbook.distribution import DistributionItem
from bot.core.timeline.model import Step, StepKind
from bot.runtime import letters
from bot.runtime.conferences import SYSTEM, ConferenceService, planned_jobs, rule_role
from bot.runtime.guard import DistributionRefused
from bot.runtime.scheduler import Job

logger = logging.getLogger(__name__)

# Timeline kinds that close a job for good: reconciling never runs it again.
SETTLED = ("done", "missed", "failed", "blocked")
LATE_AFTER = timedelta(seconds=60)  # a job this far past its time is marked late
FAMILY = frozenset({Role.PARENT, Role.YOUNG_PERSON})

# A job action another module handles (the run sheet, the follow-ups): it gets the
# conference and the job, and is run with the same once-only and failure recording.
ActionHandler = Callable[[Conference, Job], Awaitable[None]]


class DeadlineRunner:
    """Runs the jobs the conference service scheduled."""

    def __init__(self, conferences: ConferenceService) -> None:
        self.conferences = conferences
        self.repo = conferences.repo
        self.handlers: dict[str, ActionHandler] = {}
        self._after_conclusion: set[str] = set()

    def register(
        self, action: str, handler: ActionHandler, *, after_conclusion: bool = False
    ) -> None:
        """Let ``handler`` run jobs with ``action``; some run after the conference has ended."""
        self.handlers[action] = handler
        if after_conclusion:
            self._after_conclusion.add(action)

    async def run(self, job: Job) -> None:
        """Run one job at most once; failures land on the timeline, never silently."""
        if self.repo.has_step(job.conference_id, job.id, "done"):
            return
        conference = self.repo.get_conference(job.conference_id)
        if conference.state is ConferenceState.CANCELLED or (
            conference.state is ConferenceState.CONCLUDED
            and job.action not in self._after_conclusion
        ):
            return
        lateness = self.conferences.clock() - job.run_at
        if lateness > LATE_AFTER:
            self._record(job, "late_job", seconds=int(lateness.total_seconds()))
        try:
            handler = self.handlers.get(job.action)
            if handler is not None:
                await handler(conference, job)
            else:
                step = next(
                    (s for s in self.conferences.timeline(conference).steps if s.id == job.step_id),
                    None,
                )
                if step is None:
                    self._record(job, "failed", reason="the step is no longer in the timeline")
                    return
                await self._act(conference, step, job)
        except DistributionRefused as err:
            self._record(job, "blocked", reason=str(err))
            return
        except Exception as err:  # record every failure for a person to retry
            logger.exception(
                "job failed", extra={"conference_id": job.conference_id, "step_id": job.step_id}
            )
            self._record(job, "failed", reason=type(err).__name__, action=job.action)
            return
        self._record(job, "done", action=job.action)

    async def reconcile(self, grace: timedelta) -> int:
        """Make the job store match every live conference's timeline; returns jobs run now.

        Run when this replica becomes the leader. APScheduler drops a date job from its
        store as it hands the job over, so a crash at that moment loses it; here such a job
        is found by its missing "done" and run (within the grace period) or raised as missed.
        Planning every conference is CPU work, so it runs off the event loop.
        """
        add, due, missed = await asyncio.to_thread(self._differences, grace)
        for job in add:
            self.conferences.scheduler.add(job)
        for job in due:
            await self.run(job)
        for job in missed:
            self.missed(job)
        return len(due)

    def _differences(self, grace: timedelta) -> tuple[list[Job], list[Job], list[Job]]:
        now = self.conferences.clock()
        stored = {j.id for j in self.conferences.scheduler.pending()}
        add: list[Job] = []
        due: list[Job] = []
        missed: list[Job] = []
        live = [
            *self.repo.list_conferences(state=ConferenceState.SCHEDULED, limit=100_000),
            *self.repo.list_conferences(state=ConferenceState.IN_MEETING, limit=100_000),
        ]
        for listed in live:
            try:
                plan = self.conferences.timeline(listed)
            except Exception:  # a conference the playbook can no longer plan: leave it be
                logger.warning("cannot plan conference", extra={"conference_id": listed.id})
                continue
            settled = self.repo.step_ids(listed.id, SETTLED)
            for job in planned_jobs(listed.id, plan):
                if job.id in stored or job.id in settled:
                    continue
                if job.run_at > now:
                    add.append(job)
                elif now - job.run_at <= grace:
                    due.append(job)
                else:
                    missed.append(job)
        return add, due, missed

    def missed(self, job: Job) -> None:
        """A job past its grace period: an alert on the timeline, never a silent drop."""
        self._record(job, "missed", action=job.action, due=job.run_at.isoformat())

    def _record(self, job: Job, kind: str, **detail: object) -> None:
        self.repo.append_timeline(
            job.conference_id, actor=SYSTEM, kind=kind, step_id=job.id, detail=dict(detail)
        )

    async def _act(self, conference: Conference, step: Step, job: Job) -> None:
        if job.action == "remind":
            await self._remind(conference, step)
        elif job.action == "check":
            self._check(conference, step, job)
        elif job.action == "pack":
            await self._share_pack(conference, step)
        elif job.action == "prompt":
            # Without a run-sheet handler registered, the prompt is only recorded as due.
            self._record(job, "prompt_due", text_key=step.template)
        else:
            raise ValueError(f"unknown job action {job.action!r}")

    async def _remind(self, conference: Conference, step: Step) -> None:
        if step.actor is None:
            return
        people = [p for p in conference.participants if rule_role(p.role) is step.actor and p.email]
        if not people:
            return
        subject, body = letters.reminder(conference, step.text, step.due)
        mail = OutgoingMail(
            to=tuple(p.email for p in people if p.email),
            subject=subject,
            html_body=body,
            purpose=f"remind:{step.id}",
        )
        roles = {p.email: p.role for p in people if p.email}
        await self.conferences.send(conference, mail, roles, may_carry_link=False)

    def _check(self, conference: Conference, step: Step, job: Job) -> None:
        if step.kind is not StepKind.SHARE_DOCUMENTS or step.actor is None:
            return
        received = [
            d
            for d in self.repo.documents(conference.id)
            if d.from_role is not None and rule_role(d.from_role) is step.actor
        ]
        if not received:
            self._record(job, "step_late", actor=step.actor.value, rule=step.rule)

    async def _share_pack(self, conference: Conference, step: Step) -> None:
        documents = self.repo.documents(conference.id)
        for role in step.audience:
            people = [p for p in conference.participants if rule_role(p.role) is role and p.email]
            if not people:
                continue
            # Restricted material is left out of every emailed pack; the guard checks again.
            usable = [d for d in documents if not d.restricted]
            if role is Role.GP and self.conferences.playbook.distribution.no_packs_to_gp:
                continue
            parent_pack = role in FAMILY
            items = [
                DistributionItem(d.name, restricted=False, is_pack=True, parent_pack=parent_pack)
                for d in usable
            ]
            mail = OutgoingMail(
                to=tuple(p.email for p in people if p.email),
                subject=f"Reports for conference {conference.reference}",
                html_body=letters.pack_body(conference, len(usable), parent_pack),
                attachments=tuple(Attachment(d.name, d.content_type, d.content) for d in usable),
                purpose=f"pack:{step.id}:{role.value}",
            )
            roles = {p.email: p.role for p in people if p.email}
            await self.conferences.send(conference, mail, roles, may_carry_link=False, items=items)
