"""Wiring: the only module that knows every adapter. Builds and runs the service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from bot.settings import Settings
from bot.store.database import Database
from bot.store.repository import Repository
from bot.web import auth, health, status

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 3.0  # SIGTERM must stop the service within 5 s


if TYPE_CHECKING:
    from graph.gateway import GraphGateway


@dataclass
class Services:
    """What the running service holds, in the order it was started."""

    settings: Settings
    database: Database
    repository: Repository
    admin_token: str
    gateway: GraphGateway | None = None
    sandbox_url: str | None = None
    extras: dict[str, object] = field(default_factory=dict)


def open_database(settings: Settings) -> Database:
    """Open the store and apply pending migrations; errors name the setting."""
    database = Database(settings.store.url)
    database.check_connection()
    database.upgrade()
    return database


def build_app(services: Services) -> web.Application:
    """The aiohttp application: probes, sign-in and pages, wired to the services."""
    app = web.Application()
    app[health.DATABASE_KEY] = services.database
    app[status.REPOSITORY_KEY] = services.repository
    app[auth.ADMIN_TOKEN_KEY] = services.admin_token
    secret = services.settings.web.session_secret
    app[auth.SIGNER_KEY] = auth.SessionSigner(
        secret.get_secret_value()
        if secret
        else auth.read_or_create_secret(services.settings.data_dir / "session-secret")
    )
    health.add_routes(app)
    auth.add_routes(app)
    status.add_routes(app)
    return app


@contextlib.asynccontextmanager
async def running_services(settings: Settings) -> AsyncIterator[Services]:
    """Start the store first and close it last; adapters start in between."""
    async with contextlib.AsyncExitStack() as stack:
        database = await asyncio.to_thread(open_database, settings)
        stack.callback(database.dispose)
        services = Services(
            settings=settings,
            database=database,
            repository=Repository(database),
            admin_token=auth.read_or_create_secret(settings.data_dir / "admin-token", 24),
        )
        if settings.sandbox_mode and settings.graph.base_url:
            # A sandbox run separately (`confbot sandbox`), e.g. so it outlives restarts.
            services.sandbox_url = settings.graph.base_url.removesuffix("/v1.0")
        elif settings.sandbox_mode:
            from graph.sandbox.server import start_sandbox

            sandbox = await start_sandbox(
                "127.0.0.1", settings.graph.sandbox_port, settings.graph.sandbox_seed
            )
            stack.push_async_callback(sandbox.close)
            services.sandbox_url = sandbox.url
        services.gateway = build_graph_gateway(settings, services.sandbox_url)
        stack.push_async_callback(services.gateway.aclose)
        yield services


def build_graph_gateway(settings: Settings, sandbox_url: str | None) -> GraphGateway:
    """The Graph gateway for the council's tenant, or for the embedded sandbox."""
    from graph.auth import GraphConnection, build_gateway

    graph = settings.graph
    if sandbox_url is not None:
        return build_gateway(GraphConnection(base_url=sandbox_url + "/v1.0"))
    return build_gateway(
        GraphConnection(
            tenant_id=graph.tenant_id,
            client_id=graph.client_id,
            client_secret=graph.client_secret.get_secret_value() if graph.client_secret else None,
            certificate_path=graph.certificate_path,
            certificate_password=(
                graph.certificate_password.get_secret_value()
                if graph.certificate_password
                else None
            ),
            managed_identity=graph.managed_identity,
            managed_identity_client_id=graph.managed_identity_client_id or None,
            base_url=graph.base_url or None,
        )
    )


async def serve(settings: Settings, ready: asyncio.Event | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with running_services(settings) as services:
        runner = web.AppRunner(build_app(services), shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        try:
            site = web.TCPSite(runner, settings.web.host, settings.web.port)
            await site.start()
            _announce(services, _bound_port(runner, settings.web.port))
            if ready is not None:
                ready.set()
            await stop.wait()
            logger.info("stopping")
        finally:
            await runner.cleanup()


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    return configured


def _announce(services: Services, port: int) -> None:
    settings = services.settings
    base = settings.web.public_url or f"http://{settings.web.host}:{port}"
    if settings.sandbox_mode:
        logger.warning(
            "SANDBOX MODE: no Microsoft 365 tenant is configured. Graph calls go to the local "
            "sandbox tenant at %s and no real email or meeting is created.",
            services.sandbox_url,
        )
    # Printed, not logged: it is the one line a person needs to get in.
    print(f"confbot is running. Status page: {base}/", flush=True)
    print(
        f"Sign in: {base}/signin?token={services.admin_token} "
        f"(the token is also in {settings.data_dir / 'admin-token'})",
        flush=True,
    )
