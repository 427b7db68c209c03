"""The status site: every page, event stream, /metrics, the static files and the middlewares."""

from __future__ import annotations

from aiohttp import web

from bot.web import (
    audit,
    capacity,
    json_body,
    metrics,
    oidc,
    pages,
    security,
    sse,
    subject_access,
    triage,
)
from bot.web.progress import RiskMemo, TimelineCache
from bot.web.status import RISKS_KEY, STATIC, TIMELINES_KEY


def add_routes(app: web.Application) -> None:
    """Mount every status page, the event streams, /metrics, static files and the middlewares.

    Collaborators not yet wired (actions, health) are optional: their parts say so on the page.
    """
    if TIMELINES_KEY not in app:
        app[TIMELINES_KEY] = TimelineCache()
    app[RISKS_KEY] = RiskMemo()
    app.middlewares.append(metrics.metrics_middleware)
    app.middlewares.append(security.security_middleware)
    app.middlewares.append(json_body.json_limits)  # inside: its refusals get the headers
    pages.add_routes(app)
    triage.add_routes(app)
    capacity.add_routes(app)
    audit.add_routes(app)
    subject_access.add_routes(app)
    sse.add_routes(app)
    metrics.add_routes(app)
    oidc.add_routes(app)
    app.router.add_static("/static", STATIC, append_version=False)
