"""The playbook's process on the compiled steps: conference reminders, chasers, what goes at once.

The compiler marks each step with what the runtime must do about it, so the runtime needs
no playbook look-ups: ``bot.core.timeline.jobs`` turns the marks into scheduled jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from bot.core.conference import Role
from bot.core.durations import DurationUnit
from bot.core.playbook.model import ConferenceRules, ProcessRules, StepKind
from bot.core.timeline.model import Step
from bot.core.workdays import WorkingCalendar, to_london


def reminder_steps(
    rules: ConferenceRules,
    prefix: str,
    start: datetime,
    calendar: WorkingCalendar,
    audience: Callable[[Iterable[Role]], tuple[Role, ...]],
) -> list[Step]:
    """One step per conference reminder the playbook asks for, due when the reminder goes."""
    steps: list[Step] = []
    when = to_london(start).strftime("%A %d %B %Y at %H:%M")
    for i, reminder in enumerate(rules.reminders):
        to = audience(reminder.to)
        if not to:
            continue
        due = calendar.due_before(start, reminder.before)
        text = reminder.text or f"A reminder that the conference is on {when}."
        steps.append(
            Step(
                id=f"{prefix}.reminders.{reminder.id}",
                kind=StepKind.CONFERENCE_REMINDER,
                due=due,
                actor=Role.ADMIN,
                audience=to,
                template="reminder.conference",
                text=text,
                rule=f"{prefix}.reminders[{i}]",
                working_days=reminder.before.unit is DurationUnit.WORKING_DAYS,
                remind_at=due,
                remind_roles=to,
            )
        )
    return steps


def mark_process(
    steps: Iterable[Step], process: ProcessRules, calendar: WorkingCalendar
) -> list[Step]:
    """Each step marked as chased (with its reminder time) or sent at the format decision."""
    marked: list[Step] = []
    for step in steps:
        changes: dict[str, object] = {}
        # The admin team is confbot itself: there is no one to remind.
        if step.kind in process.chased and step.actor is not Role.ADMIN:
            changes.update(
                chased=True,
                remind_at=_remind_at(step.due, process, calendar),
                remind_roles=(step.actor,) if step.actor is not None else (),
            )
        if step.kind in process.sent_at_format:
            changes["sent_at_format"] = True
        marked.append(step.model_copy(update=changes) if changes else step)
    return marked


def _remind_at(due: datetime, process: ProcessRules, calendar: WorkingCalendar) -> datetime:
    lead = process.reminder_lead
    if lead.is_fixed:
        # A fixed lead is exact: 24 hours before a Monday deadline is Sunday, as before.
        return due - lead.as_timedelta()
    return calendar.due_before(due, lead)
