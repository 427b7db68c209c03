"""The sandbox tenant's aiohttp server: start it embedded, in tests, or standalone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
from aiohttp import web

from graph.sandbox import attendance, batch, calendar, control, files, mail, subscriptions
from graph.sandbox.faults import FaultInjector
from graph.sandbox.notify import Notifier
from graph.sandbox.seed import load_seed
from graph.sandbox.state import GraphFault, Tenant
from graph.sandbox.web import (
    SANDBOX,
    SESSION,
    Sandbox,
    SandboxConfig,
    graph_error,
    graph_json,
    sandbox_of,
)

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_MAILBOX = re.compile(r"^/v1\.0/users/([^/]+)")
_LOGGED_BODY_LIMIT = 64_000


def _mailbox(request: web.Request) -> str:
    match = _MAILBOX.match(request.path)
    if match is None:
        return ""
    key = unquote(match.group(1))
    return sandbox_of(request).tenant.user_id(key, must=False) or key.lower()


@web.middleware
async def log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record method, path, status, time and mailbox of every Graph call."""
    if not request.path.startswith("/v1.0"):
        return await handler(request)
    sandbox = sandbox_of(request)
    entry: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "query": request.query_string,
        "timestamp": datetime.now(UTC).isoformat(),
        "mailbox": _mailbox(request),
        "status": 0,
        # Requests inside a $batch are logged too, but are not HTTP requests from a client.
        "in_batch": "X-Confbot-Sandbox-Batch-Item" in request.headers,
    }
    if request.can_read_body and request.content_type == "application/json":
        raw = await request.read()
        if len(raw) <= _LOGGED_BODY_LIMIT:
            try:
                entry["body"] = json.loads(raw)
            except json.JSONDecodeError:
                entry["body"] = None
    try:
        response = await handler(request)
    except web.HTTPException as err:
        entry["status"] = err.status
        raise
    finally:
        sandbox.requests.append(entry)
    entry["status"] = response.status
    return response


@web.middleware
async def graph_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every failure with Graph's error body."""
    try:
        return await handler(request)
    except GraphFault as err:
        return graph_error(err.status, err.code, err.message)
    except web.HTTPNotFound:
        return graph_error(
            400, "BadRequest", f"Resource not found for the segment '{request.path}'."
        )
    except web.HTTPMethodNotAllowed:
        return graph_error(405, "Request_BadRequest", "The HTTP method is not allowed.")


@web.middleware
async def mailbox_concurrency(request: web.Request, handler: Handler) -> web.StreamResponse:
    """At most N requests at once per mailbox, as Exchange enforces; the rest get 429."""
    mailbox = _mailbox(request) if request.path.startswith("/v1.0/users/") else ""
    if not mailbox:
        return await handler(request)
    sandbox = sandbox_of(request)
    busy = sandbox.in_flight.get(mailbox, 0)
    if busy >= sandbox.config.mailbox_concurrency:
        return graph_error(
            429,
            "ApplicationThrottled",
            "Application is over its MailboxConcurrency limit.",
            headers={"Retry-After": f"{sandbox.config.throttle_retry_after:g}"},
        )
    sandbox.in_flight[mailbox] = busy + 1
    try:
        return await handler(request)
    finally:
        sandbox.in_flight[mailbox] -= 1


@web.middleware
async def inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add latency and failures as ``POST /_sandbox/faults`` asked."""
    if not request.path.startswith("/v1.0") or request.path == "/v1.0/$batch":
        return await handler(request)
    faults = sandbox_of(request).faults
    latency = faults.latency_for(request.path)
    if latency:
        await asyncio.sleep(latency.total_seconds())
    fault = faults.pick(request.path)
    if fault is None:
        return await handler(request)
    if fault.after:
        await handler(request)  # done, but the caller never hears: the transactionId case
    headers = {}
    if fault.retry_after is not None and fault.status in (429, 503):
        headers["Retry-After"] = f"{fault.retry_after:g}"
    codes = {429: "TooManyRequests", 503: "ServiceUnavailable", 504: "GatewayTimeout"}
    return graph_error(
        fault.status,
        codes.get(fault.status, "InternalServerError"),
        "The sandbox injected this fault.",
        headers=headers,
    )


routes = web.RouteTableDef()


@routes.get("/v1.0/users")
async def list_users(request: web.Request) -> web.Response:
    """Every user in the tenant."""
    return graph_json({"value": list(sandbox_of(request).tenant.users.values())})


@routes.get("/v1.0/users/{user}")
async def get_user(request: web.Request) -> web.Response:
    """One user, by id or address."""
    tenant = sandbox_of(request).tenant
    return graph_json(tenant.users[tenant.user_id(request.match_info["user"])])


def build_app(
    seed_path: Path | None = None,
    *,
    notify_client: aiohttp.ClientSession | None = None,
    fault_seed: int = 0,
    config: SandboxConfig | None = None,
) -> web.Application:
    """The sandbox as an aiohttp application."""
    app = web.Application(
        middlewares=[graph_errors, log_requests, mailbox_concurrency, inject_faults],
        client_max_size=300 * 1024 * 1024,
    )
    app[SANDBOX] = Sandbox(
        tenant=Tenant(seed=load_seed(seed_path)),
        faults=FaultInjector(seed=fault_seed),
        config=config or SandboxConfig(),
        notifier=Notifier(notify_client),
    )
    for table in (
        routes,
        calendar.routes,
        attendance.routes,
        mail.routes,
        files.routes,
        subscriptions.routes,
        batch.routes,
        control.routes,
    ):
        app.add_routes(table)

    async def lifecycle(app: web.Application) -> Any:
        session = aiohttp.ClientSession()
        app[SESSION] = session
        yield
        await app[SANDBOX].notifier.close()
        await session.close()

    app.cleanup_ctx.append(lifecycle)
    return app


@dataclass
class SandboxHandle:
    """A running sandbox: its URL, its state for tests, and how to stop it."""

    runner: web.AppRunner
    sandbox: Sandbox

    @property
    def url(self) -> str:
        """``http://host:port``; Graph's base is ``url + "/v1.0"``."""
        return self.sandbox.url

    @property
    def graph_url(self) -> str:
        """The Graph base URL to give msgraph-sdk."""
        return self.sandbox.graph_url

    @property
    def state(self) -> Tenant:
        """The in-memory tenant."""
        return self.sandbox.tenant

    async def close(self) -> None:
        """Stop serving and finish notifications in flight."""
        await self.runner.cleanup()
        # One turn of the loop lets transports whose peer just hung up run their
        # scheduled connection_lost, so none is left for the garbage collector.
        await asyncio.sleep(0)


async def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    seed_path: Path | None = None,
    notify_client: aiohttp.ClientSession | None = None,
    *,
    fault_seed: int = 0,
    config: SandboxConfig | None = None,
) -> SandboxHandle:
    """Start the sandbox on ``host:port`` (0: an ephemeral port) and return its handle."""
    app = build_app(seed_path, notify_client=notify_client, fault_seed=fault_seed, config=config)
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()  # closes the notifier's client session: a port in use is no leak
        raise
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    shown = f"[{host}]" if ":" in host else host
    sandbox = app[SANDBOX]
    sandbox.url = f"http://{shown}:{bound}"
    logger.info("sandbox tenant listening on port %d", bound)
    return SandboxHandle(runner=runner, sandbox=sandbox)


def run_sandbox(host: str, port: int, seed_path: Path | None) -> None:
    """Serve the sandbox until interrupted (``confbot sandbox --port N``)."""

    async def main() -> None:
        handle = await start_sandbox(host, port, seed_path)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Containers stop with SIGTERM; shut down cleanly either way.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        print(f"sandbox Graph tenant at {handle.graph_url}", flush=True)
        try:
            await stop.wait()
        finally:
            await handle.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
