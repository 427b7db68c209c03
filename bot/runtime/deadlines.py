"""Deadline jobs before the meeting: remind the person a step waits on, check it, share packs.

Each is a job handler for the dispatcher. Each checks the timeline or the store before a
side effect, so a job that fires twice (a restart mid-run, two replicas) acts once.
"""

from __future__ import annotations

import logging

from bot.core.conference import Conference, Role
from bot.core.mailbox import Attachment, OutgoingMail
from bot.core.playbook.distribution import DistributionItem
from bot.core.timeline.model import Step, StepKind
from bot.runtime import letters
from bot.runtime.context import SYSTEM, Runtime, rule_role
from bot.runtime.jobs import JobDispatcher
from bot.runtime.scheduler import Job

logger = logging.getLogger(__name__)

FAMILY = frozenset({Role.PARENT, Role.YOUNG_PERSON})


class StepGone(LookupError):
    """The job's step is no longer in the conference's timeline."""


def register(dispatcher: JobDispatcher) -> None:
    """Let the dispatcher run the remind, check and pack jobs."""
    rt = dispatcher.rt

    async def remind(conference: Conference, job: Job) -> None:
        await send_reminder(rt, conference, _step(rt, conference, job))

    async def check(conference: Conference, job: Job) -> None:
        check_step(rt, conference, _step(rt, conference, job), job)

    async def pack(conference: Conference, job: Job) -> None:
        await share_pack(rt, conference, _step(rt, conference, job))

    dispatcher.register("remind", remind)
    dispatcher.register("check", check)
    dispatcher.register("pack", pack)


def _step(rt: Runtime, conference: Conference, job: Job) -> Step:
    step = next((s for s in rt.timeline(conference).steps if s.id == job.step_id), None)
    if step is None:
        raise StepGone(job.step_id)
    return step


async def send_reminder(rt: Runtime, conference: Conference, step: Step) -> None:
    """Remind the people the playbook names for this step (the person it waits on, by default)."""
    wanted = set(step.remind_roles) or ({step.actor} if step.actor is not None else set())
    people = [p for p in conference.participants if rule_role(p.role) in wanted and p.email]
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
    await rt.outbox.send(conference, mail, roles, may_carry_link=False)


def check_step(rt: Runtime, conference: Conference, step: Step, job: Job) -> None:
    """At the deadline, a report not received is marked late on the timeline."""
    if step.kind is not StepKind.SHARE_DOCUMENTS or step.actor is None:
        return
    received = [
        d
        for d in rt.store.documents(conference.id)
        if d.from_role is not None and rule_role(d.from_role) is step.actor
    ]
    if not received:
        rt.record(
            conference.id,
            SYSTEM,
            "step_late",
            step_id=job.id,
            actor=step.actor.value,
            rule=step.rule,
        )


async def share_pack(rt: Runtime, conference: Conference, step: Step) -> None:
    """Send each audience the reports received so far, never restricted ones."""
    documents = rt.store.documents(conference.id)
    no_packs_to_gp = rt.playbook(conference).distribution.no_packs_to_gp
    async with rt.outbox.collecting():
        for role in step.audience:
            people = [p for p in conference.participants if rule_role(p.role) is role and p.email]
            if not people or (role is Role.GP and no_packs_to_gp):
                continue
            # Restricted material is left out of every emailed pack; the guard checks again.
            usable = [d for d in documents if not d.restricted]
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
            await rt.outbox.send(conference, mail, roles, may_carry_link=False, items=items)
