"""The health of the mailbox, Graph and the scheduler, as the overview and /metrics read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from aiohttp import web


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    """One reading of the service's health. None means "not known yet"."""

    mailbox_lag: timedelta | None = None  # oldest unread request mail not yet processed
    last_mailbox_sweep: datetime | None = None
    last_notification: datetime | None = None  # last Graph change notification received
    graph_requests: int | None = None
    graph_errors: int | None = None  # failed Graph calls
    graph_throttled: int | None = None  # 429 answers
    jobs_due: int | None = None  # scheduler jobs due in the next hour
    jobs_late: int | None = None  # jobs past their run time and not yet run
    worst_job_lateness: timedelta | None = None
    scheduler_leader: bool | None = None  # whether this replica runs the scheduler

    @property
    def graph_error_rate(self) -> float | None:
        """Failed calls as a share of all calls, or None before any call."""
        if not self.graph_requests or self.graph_errors is None:
            return None
        return self.graph_errors / self.graph_requests


class HealthSource(Protocol):
    """Anything that can say how the service is doing right now."""

    async def snapshot(self) -> HealthSnapshot:
        """A fresh reading; fields it cannot know stay None."""


class GraphCounters(Protocol):
    """The gateway's running totals (``graph.metrics.GraphMetrics`` has this shape)."""

    requests: int
    retries: int
    throttled: int
    unavailable: int
    failures: int


class UnknownHealth:
    """The health source used until the runtime wires its own: everything unknown."""

    def __init__(self, graph: GraphCounters | None = None) -> None:
        self.graph = graph

    async def snapshot(self) -> HealthSnapshot:
        """Graph's counters if there is a gateway; everything else unknown."""
        if self.graph is None:
            return HealthSnapshot()
        return HealthSnapshot(
            graph_requests=self.graph.requests,
            graph_errors=self.graph.failures,
            graph_throttled=self.graph.throttled,
        )


HEALTH_KEY: web.AppKey[HealthSource] = web.AppKey("health_source", HealthSource)
GRAPH_COUNTERS_KEY: web.AppKey[GraphCounters] = web.AppKey("graph_counters", GraphCounters)


async def read_health(app: web.Application) -> HealthSnapshot:
    """The wired health source's reading, falling back to Graph's counters alone."""
    source = app.get(HEALTH_KEY)
    if source is None:
        source = UnknownHealth(app.get(GRAPH_COUNTERS_KEY))
    return await source.snapshot()
