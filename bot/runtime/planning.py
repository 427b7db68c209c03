"""The jobs a compiled timeline implies. (Moves into the playbook and compiler.)"""

from __future__ import annotations

from datetime import timedelta

from bot.core.conference import Role
from bot.core.timeline.model import StepKind, Timeline
from bot.runtime.scheduler import Job

# A reminder goes out a day before its deadline, or at once when that is already past.
REMINDER_LEAD = timedelta(hours=24)
# Steps whose deadlines confbot chases: it reminds the actor, then checks at the deadline.
CHASED = frozenset({StepKind.SHARE_DOCUMENTS, StepKind.PHONE_DISCUSSION, StepKind.PREPARATION})


def planned_jobs(conference_id: int, plan: Timeline) -> list[Job]:
    """Every job a compiled timeline implies, at its nominal time."""
    jobs: list[Job] = []
    for step in plan.steps:
        if step.kind in CHASED and step.actor is not Role.ADMIN:
            jobs.append(Job(step.due - REMINDER_LEAD, conference_id, step.id, "remind"))
            jobs.append(Job(step.due, conference_id, step.id, "check"))
        elif step.kind is StepKind.SHARE_DOCUMENTS:
            # The admin team shares packs at the deadline, from the reports received by then.
            jobs.append(Job(step.due, conference_id, step.id, "pack"))
    # The in-meeting prompts come from the run sheet, which holds its own wake-ups; the plan
    # holds only its start, on the first run-sheet step, so a restart still starts it on time.
    first = next((s for s in plan.steps if s.kind is StepKind.PHASE), None)
    if first is not None:
        jobs.append(Job(plan.start, conference_id, first.id, "runsheet_start"))
    return jobs
