"""The follow-ups of a concluded conference, each a durable job run once by the deadline runner.

The decision email to partner agencies, the outline plan or the plan to family and
professionals, prompts for the chair's feedback and update calls, and the review request.
Each checks the timeline before any side effect and records what it did there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core.conference import Conference, Role
from bot.core.errors import ActionRefused
from bot.core.mailbox import OutgoingMail
from bot.core.minutes.assembly import attendance_lines
from bot.core.playbook.terms import AttendanceOutcome, Channel, FollowUpKind, PhaseKind
from bot.core.timeline.model import Step, StepKind
from bot.runtime.aftercare import mail as aftercare_mail
from bot.runtime.aftercare.records import minutes_input, participant_key, party_index
from bot.runtime.aftercare.review import ReviewRequests
from bot.runtime.context import SYSTEM, Runtime, rule_role
from bot.runtime.jobs import SETTLED
from bot.runtime.scheduler import Job

FOLLOW_UP = "aftercare.follow_up"  # job action: one follow-up step of the compiled timeline
FEEDBACK = "aftercare.feedback"  # job action: prompt the chair's feedback call to the parents
FEEDBACK_STEP = "aftercare.feedback_call"
REVIEW_STEP = "aftercare.review"  # the review request when the playbook has no review follow-up
SENT = "followup_sent"
NEEDS_POST = "followup_needs_post"
EMAILED = frozenset({FollowUpKind.DECISION_EMAIL, FollowUpKind.OUTLINE_PLAN, FollowUpKind.PLAN})


def in_audience(role: Role, audience: tuple[Role, ...]) -> bool:
    """True when someone in ``role`` is one of ``audience`` (police, GP... count as agency)."""
    return role in audience or rule_role(role) in audience


class FollowUps:
    """Plans the follow-up jobs at conclusion and runs each one when it fires."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.repo = runtime.store
        self.reviews = ReviewRequests(runtime)

    def _record(self, conference_id: int, kind: str, step_id: str, **detail: object) -> None:
        self.repo.append_timeline(
            conference_id, actor=SYSTEM, kind=kind, step_id=step_id, detail=dict(detail)
        )

    def sent_recorder(self, conference_id: int, key: str, role: Role) -> Callable[[], None]:
        """What to record once a follow-up email to one person has really gone."""

        def record() -> None:
            self._record(conference_id, SENT, key, role=role.value)

        return record

    def jobs(self, conference: Conference) -> list[Job]:
        """The follow-up jobs not yet settled, due now: well inside every playbook's limit."""
        now = self.rt.clock()
        plan = self.rt.timeline(conference)
        rules = self.rt.rules(conference)
        jobs = [
            Job(now, conference.id, step.id, FOLLOW_UP)
            for step in plan.steps
            # The minutes wait for approval; they are queued then.
            if step.kind is StepKind.FOLLOW_UP and step.template != "follow_up.minutes"
        ]
        if not any(f.kind is FollowUpKind.REVIEW_DATE for f in rules.follow_ups):
            jobs.append(Job(now, conference.id, REVIEW_STEP, FOLLOW_UP))
        if any(p.kind is PhaseKind.FEEDBACK_CALL for p in rules.run_sheet):
            jobs.append(Job(now, conference.id, FEEDBACK_STEP, FEEDBACK))
        settled = self.repo.step_ids(conference.id, SETTLED)
        return [job for job in jobs if job.id not in settled]

    async def follow_up(self, conference: Conference, job: Job) -> None:
        """One follow-up of the compiled timeline: an email, a prompt, or the review request."""
        if job.step_id == REVIEW_STEP:
            await self.reviews.request_review(conference, job.step_id, None)
            return
        step = next((s for s in self.rt.timeline(conference).steps if s.id == job.step_id), None)
        if step is None:
            raise ActionRefused("the follow-up is no longer in the timeline")
        kind = FollowUpKind(step.template.removeprefix("follow_up."))
        if kind is FollowUpKind.REVIEW_DATE:
            rules = self.rt.rules(conference)
            rule = next(f for f in rules.follow_ups if step.id.endswith(f".{f.id}"))
            await self.reviews.request_review(conference, step.id, rule)
            if step.channel in (None, Channel.EMAIL):
                # Everyone the playbook names hears the date, not only the timeline.
                await self._send(conference, step, kind)
        elif kind is FollowUpKind.UPDATE_FAMILY:
            self._prompt_absent_parents(conference, step)
        elif kind in EMAILED and step.channel in (None, Channel.EMAIL):
            await self._send(conference, step, kind)
        elif not self.repo.has_step(conference.id, step.id, "prompt_due"):
            # Anything else, or sent by phone or post: a person does it, prompted here.
            actor = step.actor.value if step.actor else None
            channel = step.channel.value if step.channel else None
            self._record(conference.id, "prompt_due", step.id, actor=actor, channel=channel)

    async def _send(self, conference: Conference, step: Step, kind: FollowUpKind) -> None:
        plan = self.rt.timeline(conference)
        data = minutes_input(conference, self.repo.timeline(conference.id), plan)
        decisions, per_child = data.decisions, data.child_decisions
        if kind is FollowUpKind.REVIEW_DATE:
            if decisions.plan is False:
                return  # no plan, so no review to tell anyone about
            due, _basis = self.reviews.review_date(conference, decisions, None)
            subject, body = aftercare_mail.review_date_email(
                conference, replace(decisions, review=due)
            )
        elif kind is FollowUpKind.DECISION_EMAIL:
            subject, body = aftercare_mail.decision_email(conference, decisions, per_child)
        else:
            outline = kind is FollowUpKind.OUTLINE_PLAN
            subject, body = aftercare_mail.plan_email(
                conference, decisions, outline=outline, per_child=per_child
            )
        done = self.repo.step_ids(conference.id, [SENT, NEEDS_POST])
        async with self.rt.outbox.collecting():
            for person in conference.participants:
                key = f"{step.id}:{person.id}"
                if not in_audience(person.role, step.audience) or key in done:
                    continue
                if not person.email:
                    # Seed 002: without a safe email address it is shared by phone or post.
                    self._record(
                        conference.id,
                        NEEDS_POST,
                        key,
                        role=person.role.value,
                        has_postal_address=bool(person.postal_address.strip()),
                    )
                    continue
                mail = OutgoingMail(
                    to=(person.email,), subject=subject, html_body=body, purpose=key
                )
                await self.rt.outbox.send(
                    conference,
                    mail,
                    {person.email: person.role},
                    may_carry_link=False,
                    items=[],
                    after=self.sent_recorder(conference.id, key, person.role),
                )

    def _prompt_absent_parents(self, conference: Conference, step: Step) -> None:
        # Seed 003: "The IRO will update parents after the meeting by phone if they have been
        # unable or unwilling to attend the meeting."
        plan = self.rt.timeline(conference)
        data = minutes_input(conference, self.repo.timeline(conference.id), plan)
        lines = attendance_lines(self.rt.rules(conference), data)
        absent = {
            line.participant for line in lines if line.outcome is not AttendanceOutcome.ATTENDED
        }
        due = self.repo.step_ids(conference.id, ["prompt_due"])
        for person in conference.participants:
            key = participant_key(person)
            step_id = f"{step.id}:{person.id}"
            if person.role is Role.PARENT and key in absent and step_id not in due:
                self._record(
                    conference.id, "prompt_due", step_id, actor="chair", party=key, call="update"
                )

    async def feedback_prompt(self, conference: Conference, job: Job) -> None:
        """Prompt the chair's feedback call to each parent the run sheet has not closed."""
        index = party_index(conference)
        answered = {
            index.get(str(e.detail.get("party")))
            for e in self.repo.timeline(conference.id)
            if e.kind == "runsheet.answered"
            and e.detail.get("prompt_kind") == "feedback_call"
            and e.detail.get("answer") == "done"
        }
        due = self.repo.step_ids(conference.id, ["prompt_due"])
        for person in conference.participants:
            key = participant_key(person)
            step_id = f"{FEEDBACK_STEP}:{person.id}"
            if person.role is Role.PARENT and key not in answered and step_id not in due:
                self._record(
                    conference.id, "prompt_due", step_id, actor="chair", party=key, call="feedback"
                )
