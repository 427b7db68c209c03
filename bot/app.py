"""Wiring: the only module that knows every adapter. Builds and runs the service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.playbook.model import Playbook
from bot.runtime.aftercare.service import Aftercare
from bot.runtime.conferences import ConferenceService, RuntimeConfig
from bot.runtime.deadlines import DeadlineRunner
from bot.runtime.durable import DurableScheduler
from bot.runtime.leading import LeaderDuties
from bot.runtime.mailbox import Mailboxes, MailboxSweep
from bot.runtime.requests import RequestIntake
from bot.runtime.runsheets import RunSheetService
from bot.settings import Settings
from bot.store.database import Database
from bot.store.leader import leadership_for
from bot.store.repository import Repository
from bot.web import (
    about,
    api,
    api_aftercare,
    auth,
    console,
    graph_webhook,
    health,
    snapshot,
    status,
)
from bot.web import actions as web_actions
from bot.web.config import CONFIG_KEY, WebConfig
from bot.web.progress import TimelineCache, bundled_playbooks
from bot.web.runtime_actions import RuntimeActions
from bot.web.service_health import ServiceHealth

if TYPE_CHECKING:
    from graph.gateway import GraphGateway

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 3.0  # SIGTERM must stop the service within 5 s


@dataclass
class Services:
    """What the running service holds, in the order it was started."""

    settings: Settings
    database: Database
    repository: Repository
    admin_token: str
    playbook: Playbook
    gateway: GraphGateway | None = None
    sandbox_url: str | None = None
    conferences: ConferenceService | None = None
    scheduler: DurableScheduler | None = None
    runner: DeadlineRunner | None = None
    aftercare: Aftercare | None = None
    runsheets: RunSheetService | None = None
    intake: RequestIntake | None = None
    mailboxes: Mailboxes | None = None
    sweep: MailboxSweep | None = None  # the first mailbox's, for tests that sweep by hand
    duties: LeaderDuties | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def open_database(settings: Settings) -> Database:
    """Open the store and apply pending migrations; errors name the setting."""
    database = Database(settings.store.url)
    database.check_connection()
    database.upgrade()
    return database


def load_configured_playbook(settings: Settings) -> Playbook:
    """The council's playbook: a bundled name, or a path to a YAML file."""
    from playbooks import load_bundled, load_playbook_file

    name = settings.conference.playbook
    if name.endswith((".yaml", ".yml")):
        return load_playbook_file(Path(name))
    return load_bundled(name)


def sandbox_people(settings: Settings, role: str) -> tuple[str, ...]:
    """Addresses of the sandbox tenant's users with ``role`` (its chairs, its minute takers)."""
    from graph.sandbox.seed import load_seed

    return tuple(u.mail for u in load_seed(settings.graph.sandbox_seed) if u.role == role)


def build_app(services: Services) -> web.Application:
    """The aiohttp application: probes, sign-in, pages, API and webhooks, wired to services."""
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
    settings = services.settings
    app[CONFIG_KEY] = WebConfig.from_settings(settings)
    playbook_name, playbook = settings.conference.playbook, services.playbook
    app[status.TIMELINES_KEY] = TimelineCache(
        lambda: {**bundled_playbooks(), playbook_name: playbook}
    )
    metrics = services.gateway.metrics if services.gateway is not None else None
    if metrics is not None:
        app[snapshot.GRAPH_COUNTERS_KEY] = metrics
    app[snapshot.HEALTH_KEY] = ServiceHealth(
        services.database, sweep=services.mailboxes, graph=metrics
    )
    if services.conferences is not None and services.runner is not None:
        aftercare = services.aftercare
        app[web_actions.ACTIONS_KEY] = RuntimeActions(
            services.conferences,
            services.runner,
            approve=(
                (lambda cid, user, role: aftercare.approve_distribution(cid, user=user, role=role))
                if aftercare is not None
                else None
            ),
        )
    health.add_routes(app)
    auth.add_routes(app)
    about.add_routes(app)
    status.add_routes(app)
    if services.runsheets is not None:
        console.add_routes(app, services.runsheets)  # the chair console is a prompt channel too
        add_teams(app, services)
    if services.conferences is not None:
        app[api.CONFERENCES_KEY] = services.conferences
        api.add_routes(app)
    if services.aftercare is not None:
        app[api_aftercare.AFTERCARE_KEY] = services.aftercare
        api_aftercare.add_routes(app)
    if services.mailboxes is not None:
        app[graph_webhook.NOTIFY_KEY] = services.mailboxes.notify
        graph_webhook.add_routes(app)
    return app


def add_teams(app: web.Application, services: Services) -> None:
    """Mount the Teams bot at /api/messages and make Teams a prompt channel for chairs."""
    from bot.teams.routes import add_routes as add_teams_routes
    from bot.teams.wiring import build_teams_adapter

    assert services.runsheets is not None
    repository = services.repository
    settings = services.settings
    anonymous = settings.teams.anonymous_allowed
    teams = build_teams_adapter(
        services.runsheets,
        services.database,
        lambda: [(c.id, c.join_url) for c in repository.list_conferences(limit=500) if c.join_url],
        # The Agents SDK reads its own CONNECTIONS__... variables; they are passed through as is.
        os.environ,
        anonymous=settings.sandbox_mode if anonymous is None else anonymous,
        resolve=services.gateway.user_object_id if services.gateway is not None else None,
    )
    services.runsheets.add_channel(teams.channel)
    add_teams_routes(app, teams.bot)


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


def _wire_runtime(services: Services) -> None:
    settings = services.settings
    assert services.gateway is not None
    chairs = tuple(settings.conference.chairs)
    minute_takers = tuple(settings.conference.minute_takers)
    if settings.sandbox_mode:
        chairs = chairs or sandbox_people(settings, "chair")
        minute_takers = minute_takers or sandbox_people(settings, "minute_taker")
    scheduler = DurableScheduler(services.database.engine, settings.conference.misfire_grace)
    conferences = ConferenceService(
        services.repository,
        services.gateway,
        scheduler,
        services.playbook,
        RuntimeConfig(settings.default_mailbox, chairs, minute_takers),
    )
    # Until intake routes by mailbox, this service reads only the first mailbox.
    first, *others = settings.request_mailboxes()
    if others:
        logger.warning("only the first of %d request mailboxes is read", len(others) + 1)
    intake = RequestIntake(conferences, first.address, settings.conference.playbook)
    services.scheduler = scheduler
    services.conferences = conferences
    services.runner = DeadlineRunner(conferences)
    services.aftercare = Aftercare(conferences, services.runner)
    services.aftercare.register()
    services.runsheets = RunSheetService(conferences)
    services.runsheets.register(services.runner)
    services.intake = intake
    services.mailboxes = Mailboxes(
        services.gateway, services.repository, (first,), lambda message, _: intake.handle(message)
    )
    services.sweep = services.mailboxes.sweeps[0]


@contextlib.asynccontextmanager
async def running_services(settings: Settings) -> AsyncIterator[Services]:
    """Start the store first and close it last; adapters start in between."""
    # httpx logs each Graph URL, and those name people's mailboxes: keep them out of logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    async with contextlib.AsyncExitStack() as stack:
        database = await asyncio.to_thread(open_database, settings)
        stack.callback(database.dispose)
        services = Services(
            settings=settings,
            database=database,
            repository=Repository(database),
            admin_token=auth.read_or_create_secret(settings.data_dir / "admin-token", 24),
            playbook=load_configured_playbook(settings),
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
        _wire_runtime(services)
        stack.push_async_callback(_stop_background, services)
        yield services


async def start_background(services: Services, base_url: str) -> None:
    """Contend for the lead; the leader runs the scheduler, the sweep and the subscription."""
    assert services.scheduler and services.runner and services.mailboxes
    settings = services.settings
    services.duties = LeaderDuties(
        leadership_for(services.database, settings.data_dir),
        services.scheduler,
        services.runner,
        settings.conference.misfire_grace,
        services.mailboxes.duties(
            settings.conference.sweep_interval, base_url + graph_webhook.ROUTE
        ),
    )
    if services.runsheets is not None:
        await services.runsheets.resume()  # puts back wake-ups a crash took out of the job store
    services.tasks.append(asyncio.create_task(services.duties.run(), name="leader-duties"))


async def _stop_background(services: Services) -> None:
    for task in services.tasks:
        task.cancel()
    for task in services.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    services.tasks.clear()


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
            port = _bound_port(runner, settings.web.port)
            base = settings.web.public_url or f"http://{settings.web.host}:{port}"
            await start_background(services, base)
            _announce(services, base)
            if ready is not None:
                ready.set()
            await stop.wait()
            logger.info("stopping")
        finally:
            await _stop_background(services)
            await runner.cleanup()


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    return configured


def _announce(services: Services, base: str) -> None:
    settings = services.settings
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
    if settings.sandbox_mode and services.sandbox_url:
        print(f"Sandbox Graph tenant: {services.sandbox_url}/v1.0", flush=True)
