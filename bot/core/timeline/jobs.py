"""The jobs a compiled timeline implies: reminders, checks, packs and the run-sheet start.

Pure: everything comes from the marks the compiler put on each step from the playbook's
``process`` and ``reminders`` sections, so the runtime schedules without reading a playbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.conference import Role
from bot.core.timeline.model import Step, StepKind, Timeline

__all__ = [
    "CHECK",
    "PACK",
    "REMIND",
    "RUNSHEET_START",
    "PlannedJob",
    "planned_jobs",
    "sent_at_format",
]

REMIND = "remind"  # email ``step.remind_roles`` about the step
CHECK = "check"  # at the deadline: record the step as late if it has not been done
PACK = "pack"  # the admin team shares the reports received by the deadline
RUNSHEET_START = "runsheet_start"  # the run sheet holds its own wake-ups from here


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """One thing to do at one time for one step of a conference's plan."""

    run_at: datetime
    step_id: str
    action: str


def planned_jobs(plan: Timeline) -> list[PlannedJob]:
    """Every job a compiled timeline implies, at its nominal time, in step order."""
    jobs: list[PlannedJob] = []
    for step in plan.steps:
        if step.chased and step.remind_at is not None:
            jobs.append(PlannedJob(step.remind_at, step.id, REMIND))
            jobs.append(PlannedJob(step.due, step.id, CHECK))
        elif step.kind is StepKind.CONFERENCE_REMINDER and step.remind_at is not None:
            jobs.append(PlannedJob(step.remind_at, step.id, REMIND))
        elif step.kind is StepKind.SHARE_DOCUMENTS and step.actor is Role.ADMIN:
            # The admin team shares packs at the deadline, from the reports received by then.
            jobs.append(PlannedJob(step.due, step.id, PACK))
    # The in-meeting prompts come from the run sheet, which holds its own wake-ups; the plan
    # holds only its start, on the first run-sheet step, so a restart still starts it on time.
    first = next((s for s in plan.steps if s.kind is StepKind.PHASE), None)
    if first is not None:
        jobs.append(PlannedJob(plan.start, first.id, RUNSHEET_START))
    return jobs


def sent_at_format(plan: Timeline) -> list[Step]:
    """The steps the admin team sends as soon as the format is decided, in due order."""
    return [step for step in plan.steps if step.sent_at_format]
