"""Shared pieces of the sandbox's HTTP layer: app keys, Graph-shaped answers, the context."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from aiohttp import web

from graph.sandbox.faults import FaultInjector
from graph.sandbox.state import GraphFault, Tenant

if TYPE_CHECKING:
    from graph.sandbox.notify import Notifier

REQUEST_LOG_LIMIT = 20_000


@dataclass
class SandboxConfig:
    """Knobs of the sandbox's Exchange-like behaviour."""

    mailbox_concurrency: int = 4  # Outlook's documented per-app, per-mailbox limit
    throttle_retry_after: float = 1.0  # seconds, on the concurrency 429
    delta_page_size: int = 10
    # Seconds a sent message waits in Drafts before it is moved to Sent Items (0: none).
    sent_items_lag: float = 0.0


@dataclass
class Sandbox:
    """Everything a sandbox handler needs."""

    tenant: Tenant
    faults: FaultInjector
    config: SandboxConfig
    notifier: Notifier
    url: str = ""  # http://host:port, known once bound
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_LIMIT))
    in_flight: dict[str, int] = field(default_factory=dict)
    tenant_id: str = field(default_factory=lambda: str(uuid4()))

    @property
    def graph_url(self) -> str:
        """The Graph base URL: ``url`` + ``/v1.0``."""
        return self.url + "/v1.0"


SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)


def sandbox_of(request: web.Request) -> Sandbox:
    """The sandbox serving ``request``."""
    return request.app[SANDBOX]


def graph_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer as Graph sends it."""
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    """Graph's error body."""
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": str(uuid4()),
                "client-request-id": str(uuid4()),
            },
        }
    }


def graph_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """A Graph-shaped error answer."""
    return graph_json(error_body(status, code, message), status=status, headers=headers)


async def read_json(request: web.Request, *, action: bool = False) -> dict[str, Any]:
    """The request's JSON object body, or Graph's 400.

    Action parameters (sendMail, move, getSchedule, cancel) are case-insensitive in
    Graph, and msgraph-sdk sends them in PascalCase, so ``action`` camel-cases them.
    """
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise GraphFault(400, "BadRequest", "Unable to read JSON request payload.") from err
    if not isinstance(data, dict):
        raise GraphFault(400, "BadRequest", "The request payload must be a JSON object.")
    if action:
        return {k[:1].lower() + k[1:]: v for k, v in data.items()}
    return data


def user_param(request: web.Request) -> str:
    """The user id named in the path, resolved against the tenant."""
    return sandbox_of(request).tenant.user_id(request.match_info["user"])


SESSION: web.AppKey[Any] = web.AppKey("session")  # aiohttp.ClientSession for $batch
