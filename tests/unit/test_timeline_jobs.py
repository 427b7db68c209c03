"""Jobs from a compiled plan: the playbook's process decides reminders, checks and sending."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.durations import working_days
from bot.core.playbook.model import Playbook, ProcessRules
from bot.core.timeline import (
    ConferenceFacts,
    PlannedJob,
    StepKind,
    Timeline,
    compile_timeline,
    planned_jobs,
    sent_at_format,
)
from bot.core.workdays import add_working_days
from playbooks import load_all_bundled, load_bundled

LONDON = ZoneInfo("Europe/London")
PLAYBOOKS = load_all_bundled()
START = datetime(2027, 3, 10, 10, 0, tzinfo=LONDON)  # a Wednesday


def every_plan() -> list[tuple[str, Timeline]]:
    plans = []
    for name, playbook in sorted(PLAYBOOKS.items()):
        for kind, rules in sorted(playbook.conferences.items()):
            for fmt in rules.formats.offered:
                facts = ConferenceFacts(kind, fmt, START)
                plans.append((f"{name}-{kind}-{fmt}", compile_timeline(playbook, facts)))
    return plans


def jobs_as_the_runtime_planned_them(plan: Timeline) -> list[PlannedJob]:
    """The rule bot/runtime/conferences.py hard-coded before playbooks could say it."""
    chased = {StepKind.SHARE_DOCUMENTS, StepKind.PHONE_DISCUSSION, StepKind.PREPARATION}
    jobs: list[PlannedJob] = []
    for step in plan.steps:
        if step.kind in chased and step.actor is not Role.ADMIN:
            jobs.append(PlannedJob(step.due - timedelta(hours=24), step.id, "remind"))
            jobs.append(PlannedJob(step.due, step.id, "check"))
        elif step.kind is StepKind.SHARE_DOCUMENTS:
            jobs.append(PlannedJob(step.due, step.id, "pack"))
    first = next((s for s in plan.steps if s.kind is StepKind.PHASE), None)
    if first is not None:
        jobs.append(PlannedJob(plan.start, first.id, "runsheet_start"))
    return jobs


@pytest.mark.parametrize(
    ("name", "plan"), every_plan(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_default_process_plans_the_same_jobs_as_the_runtime_did(name: str, plan: Timeline) -> None:
    assert planned_jobs(plan) == jobs_as_the_runtime_planned_them(plan), name


@pytest.mark.parametrize(
    ("name", "plan"), every_plan(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_default_process_sends_letters_and_invites_at_the_format_decision(
    name: str, plan: Timeline
) -> None:
    kinds = {StepKind.SEND_LETTER, StepKind.SEND_INVITES, StepKind.SEND_FORMAL_INVITES}
    assert sent_at_format(plan) == [s for s in plan.steps if s.kind in kinds], name


def with_process(playbook: Playbook, **changes: object) -> Playbook:
    process = ProcessRules.model_validate({**playbook.process.model_dump(), **changes})
    return playbook.model_copy(update={"process": process})


def lancashire_plan(playbook: Playbook) -> Timeline:
    return compile_timeline(
        playbook, ConferenceFacts(ConferenceType.ICPC, MeetingFormat.TEAMS, START)
    )


def test_reminder_lead_comes_from_the_playbook_in_working_days() -> None:
    playbook = with_process(load_bundled("lancashire"), reminder_lead="2 working days")
    plan = lancashire_plan(playbook)
    reminders = [j for j in planned_jobs(plan) if j.action == "remind"]
    assert reminders
    steps = {s.id: s for s in plan.steps}
    for job in reminders:
        due = steps[job.step_id].due.astimezone(LONDON)
        # Two working days before the deadline, at the same clock time.
        run_at = job.run_at.astimezone(LONDON)
        assert run_at.date() == add_working_days(due.date(), -2)
        assert run_at.time() == due.time()
    assert playbook.process.reminder_lead == working_days(2)


def test_steps_the_playbook_does_not_chase_get_no_reminder_or_check() -> None:
    playbook = with_process(load_bundled("lancashire"), chased=["preparation"])
    plan = lancashire_plan(playbook)
    chased = {s.id for s in plan.steps if s.chased}
    assert chased
    assert all(s.kind is StepKind.PREPARATION for s in plan.steps if s.chased)
    assert {j.step_id for j in planned_jobs(plan) if j.action in ("remind", "check")} == chased


def test_a_chased_step_carries_who_is_reminded_so_the_runtime_needs_no_playbook() -> None:
    plan = lancashire_plan(load_bundled("lancashire"))
    for step in plan.steps:
        if step.chased:
            assert step.remind_roles == (step.actor,)
            assert step.remind_at == step.due - timedelta(hours=24)


def test_steps_sent_at_the_format_decision_come_from_the_playbook() -> None:
    playbook = with_process(load_bundled("lancashire"), sent_at_format=["send_invites"])
    plan = lancashire_plan(playbook)
    assert sent_at_format(plan)
    assert {s.kind for s in sent_at_format(plan)} == {StepKind.SEND_INVITES}
