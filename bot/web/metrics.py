"""``GET /metrics`` in Prometheus' text format: requests, Graph, scheduler and intake health."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.web.security import VIEWERS, require
from bot.web.snapshot import GRAPH_COUNTERS_KEY, HealthSnapshot, read_health

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RequestCounter:
    """Requests served, by method, route and status. Routes, never raw paths: no ids leak."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, int]] = Counter()

    def add(self, method: str, route: str, status: int) -> None:
        """Count one answer."""
        self.counts[(method, route, status)] += 1


REQUESTS_KEY: web.AppKey[RequestCounter] = web.AppKey("request_counter", RequestCounter)


def _route(request: web.Request) -> str:
    resource = request.match_info.route.resource
    if resource is None:
        return "unmatched"
    return resource.canonical


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count every request, whatever its answer."""
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as err:
        status = err.status
        raise
    finally:
        counter = request.app.get(REQUESTS_KEY)
        if counter is not None:
            counter.add(request.method, _route(request), status)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _gauge(lines: list[str], name: str, help_text: str, value: float | None) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    # Prometheus reads NaN as "no value": unknown stays unknown rather than zero.
    lines.append(f"{name} {'NaN' if value is None else value}")


def render_metrics(counter: RequestCounter | None, health: HealthSnapshot) -> str:
    """The exposition text."""
    lines = [
        "# HELP confbot_http_requests_total Requests served, by method, route and status.",
        "# TYPE confbot_http_requests_total counter",
    ]
    for (method, route, status), count in sorted((counter.counts if counter else {}).items()):
        labels = f'method="{_escape(method)}",route="{_escape(route)}",status="{status}"'
        lines.append(f"confbot_http_requests_total{{{labels}}} {count}")
    for name, help_text, value in (
        ("confbot_graph_requests_total", "Graph HTTP attempts.", health.graph_requests),
        ("confbot_graph_errors_total", "Graph calls that failed.", health.graph_errors),
        ("confbot_graph_throttled_total", "Graph 429 answers.", health.graph_throttled),
    ):
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
        lines.append(f"{name} {'NaN' if value is None else value}")
    lag = health.mailbox_lag.total_seconds() if health.mailbox_lag else None
    _gauge(lines, "confbot_intake_lag_seconds", "Age of the oldest unprocessed request.", lag)
    _gauge(lines, "confbot_jobs_due", "Scheduler jobs due within the hour.", health.jobs_due)
    _gauge(lines, "confbot_jobs_late", "Scheduler jobs past their run time.", health.jobs_late)
    worst = health.worst_job_lateness
    _gauge(
        lines,
        "confbot_job_lateness_seconds",
        "How late the latest scheduler job is.",
        worst.total_seconds() if worst is not None else None,
    )
    last = health.last_notification
    _gauge(
        lines,
        "confbot_last_notification_timestamp_seconds",
        "When Graph last sent a change notification.",
        last.timestamp() if last is not None else None,
    )
    return "\n".join(lines) + "\n"


async def metrics(request: web.Request) -> web.StreamResponse:
    """Prometheus scrapes this with the admin bearer token; signed-in viewers may look too."""
    require(request, VIEWERS)
    health = await read_health(request.app)
    text = render_metrics(request.app.get(REQUESTS_KEY), health)
    return web.Response(text=text, content_type="text/plain", charset="utf-8")


def add_routes(app: web.Application) -> None:
    """Mount /metrics and start counting requests."""
    if REQUESTS_KEY not in app:
        app[REQUESTS_KEY] = RequestCounter()
    app.router.add_get("/metrics", metrics)


__all__ = ["GRAPH_COUNTERS_KEY", "REQUESTS_KEY", "add_routes", "metrics_middleware"]
