"""The jobs a conference's compiled timeline implies, as durable scheduler jobs."""

from __future__ import annotations

from bot.core.timeline import planned_jobs as plan_jobs
from bot.core.timeline.model import Timeline
from bot.runtime.scheduler import Job


def planned_jobs(conference_id: int, plan: Timeline) -> list[Job]:
    """Every job the plan implies (the playbook says which and when), keyed by the conference."""
    return [Job(j.run_at, conference_id, j.step_id, j.action) for j in plan_jobs(plan)]
